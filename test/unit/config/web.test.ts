import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../edge/config/load.js';

const minimal = `
gateway: { id: gw-1 }
cameras:
  - id: cam1
    url: rtsp://10.0.0.2/stream
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.issues.map((issue) => `${issue.path}: ${issue.message}${issue.line === undefined ? '' : ` @${String(issue.line)}`}`);
  }
  assert.fail('expected the config to be rejected');
}

describe('web config', () => {
  it('serves the local page on the LAN addresses, port 8080, by default', () => {
    assert.deepEqual(parseConfig(minimal, 'test.yaml').web, { enabled: true, host: 'lan', port: 8080 });
  });

  it('takes an address or "lan" as host, and rejects anything else with its path and line', () => {
    assert.equal(parseConfig(`${minimal}web: { host: "192.168.1.20", port: 80 }\n`, 'test.yaml').web.host, '192.168.1.20');
    assert.equal(parseConfig(`${minimal}web: { host: "::1" }\n`, 'test.yaml').web.host, '::1');
    assert.deepEqual(problems(`${minimal}web:\n  host: gateway.local\n  port: 0\n`), [
      'web.host: expected "lan" or an IPv4 / IPv6 address such as 192.168.1.20, got "gateway.local" @7',
      'web.port: expected >= 1, got 0 @8',
    ]);
  });
});
