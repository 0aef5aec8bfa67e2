import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listPolicy } from '../../../edge/config/identity.js';
import { ConfigError, parseConfig } from '../../../edge/config/load.js';

const minimal = 'gateway: { id: gw-1 }\ncameras: []\n';

describe('identity config', () => {
  it('defaults: the key in /etc/huxiao/secrets, no list shares names, threshold 90', () => {
    const { identity } = parseConfig(minimal, 'test.yaml');
    assert.deepEqual(identity, { keyFile: '/etc/huxiao/secrets/gallery.key', lists: {} });
    assert.deepEqual(listPolicy(identity, 'students'), { shareNames: false, threshold: 90 });
  });

  it('takes a policy per list, with defaults for the keys it leaves out', () => {
    const { identity } = parseConfig(`${minimal}identity:\n  keyFile: /srv/key\n  lists:\n    students: { threshold: 92 }\n    "keypersons:theft": { shareNames: true }\n`, 'test.yaml');
    assert.deepEqual(listPolicy(identity, 'students'), { shareNames: false, threshold: 92 });
    assert.deepEqual(listPolicy(identity, 'keypersons:theft'), { shareNames: true, threshold: 90 });
    assert.deepEqual(listPolicy(identity, 'keypersons:other'), { shareNames: false, threshold: 90 });
  });

  it('rejects a list name that is not students or keypersons:<category>, and thresholds beyond 0-100', () => {
    try {
      parseConfig(`${minimal}identity:\n  lists:\n    teachers: { shareNames: true }\n    students: { threshold: 101 }\n`, 'test.yaml');
      assert.fail('expected the config to be rejected');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const messages = error.issues.map((issue) => `${issue.path}: ${issue.message}`);
      assert.equal(messages.length, 2, messages.join('\n'));
      assert.match(messages.join('\n'), /^identity\.lists\.teachers: expected "students" or "keypersons:<category>" .*, got "teachers"$/m);
      assert.match(messages.join('\n'), /identity\.lists\.students\.threshold: expected <= 100/);
    }
  });
});
