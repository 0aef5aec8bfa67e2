import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import { bindAddresses, isLanAddress } from '../../../edge/web/bind-address.js';

function iface(address: string, internal = false): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  return v6
    ? { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal, cidr: `${address}/64`, scopeid: 0 }
    : { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}

describe('bind addresses', () => {
  it('tells LAN addresses from public ones', () => {
    const lan = ['10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.20', '169.254.10.1', 'fd12:3456::1'];
    const notLan = ['172.15.0.1', '172.32.0.1', '100.64.0.1', '8.8.8.8', '2001:db8::1', 'fe80::1', 'not-an-address'];
    assert.deepEqual(lan.filter((address) => !isLanAddress(address)), []);
    assert.deepEqual(notLan.filter((address) => isLanAddress(address)), []);
  });

  it('"lan" listens on loopback and every private address of the box, never a public or IPv6 link-local one', () => {
    const interfaces = {
      lo: [iface('127.0.0.1', true), iface('::1', true)],
      eth0: [iface('203.0.113.7'), iface('192.168.1.20'), iface('fe80::1')],
      wlan0: [iface('10.0.0.5'), iface('fd00::5')],
    };
    assert.deepEqual(bindAddresses('lan', interfaces), ['127.0.0.1', '192.168.1.20', '10.0.0.5', 'fd00::5']);
    assert.deepEqual(bindAddresses('lan', { eth0: [iface('203.0.113.7')] }), ['127.0.0.1'], 'a box on a public address only serves itself');
  });

  it('an explicit address is the one address listened on', () => {
    assert.deepEqual(bindAddresses('0.0.0.0', {}), ['0.0.0.0']);
    assert.deepEqual(bindAddresses('192.168.1.20', { eth0: [iface('192.168.1.20')] }), ['192.168.1.20']);
  });
});
