import { BlockList, isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { LAN_HOST } from '../config/web.js';

/** RFC 1918 and RFC 4193 ranges plus link-local: addresses a box only has on a local network. */
const LAN_RANGES = new BlockList();
LAN_RANGES.addSubnet('10.0.0.0', 8, 'ipv4');
LAN_RANGES.addSubnet('172.16.0.0', 12, 'ipv4');
LAN_RANGES.addSubnet('192.168.0.0', 16, 'ipv4');
LAN_RANGES.addSubnet('169.254.0.0', 16, 'ipv4');
LAN_RANGES.addSubnet('fc00::', 7, 'ipv6');

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** True for a private or link-local IPv4 address or a unique-local IPv6 address. */
export function isLanAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return LAN_RANGES.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The addresses to listen on for the configured host. `lan` gives loopback first, then each LAN address of the
 * interfaces (IPv6 link-local is left out: it needs a zone index and an installer on the same segment has an IPv4
 * address anyway). Anything else is taken as the one address to listen on.
 */
export function bindAddresses(host: string, interfaces: Interfaces = networkInterfaces()): string[] {
  if (host !== LAN_HOST) return [host];
  const found = new Set<string>(['127.0.0.1']);
  for (const name of Object.keys(interfaces).sort()) {
    for (const info of interfaces[name] ?? []) {
      if (!info.internal && isLanAddress(info.address)) found.add(info.address);
    }
  }
  return [...found];
}
