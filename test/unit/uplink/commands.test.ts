import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { z } from 'zod';
import { Store } from '../../../edge/store/store.js';
import { CommandRouter } from '../../../edge/uplink/commands.js';
import { signedText } from '../../../edge/uplink/signing.js';
import { captureLogs, loggedError } from '../../helpers/logs.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { tempDir } from '../../helpers/tmp.js';

const NOW = 1_800_000_000_000;

describe('CommandRouter', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: Store;
  let keys: { publicKey: KeyObject; privateKey: KeyObject };
  let echoed: unknown[];

  beforeEach(async () => {
    dir = await tempDir('commands');
    store = new Store({ path: join(dir.path, 'huxiao.db') });
    store.start();
    keys = generateKeyPairSync('ed25519');
    echoed = [];
  });
  afterEach(async () => {
    store.stop();
    await dir.remove();
  });

  function router(required: boolean): CommandRouter {
    const created = new CommandRouter({
      store,
      gatewayId: 'gw-1',
      config: { maxAgeSeconds: 60, signing: { required, publicKey: 'centre.pem' } },
      publicKey: keys.publicKey,
      clock: () => NOW,
    });
    created.register('echo', {
      args: z.object({ text: z.string() }).strict(),
      run: (args) => {
        echoed.push(args);
        return { echoed: args.text };
      },
    });
    created.register('boom', {
      args: z.object({}),
      run: () => {
        throw new Error('speaker unplugged');
      },
    });
    created.register('disk', {
      args: z.object({}),
      run: () => {
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      },
    });
    return created;
  }

  function signed(command: string, body: { ts: number; nonce: string; args: Record<string, unknown> }, gateway = 'gw-1'): Buffer {
    const sig = sign(null, Buffer.from(signedText({ command, gateway, ...body })), keys.privateKey).toString('base64');
    return Buffer.from(JSON.stringify({ ...body, sig }));
  }

  const plain = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));

  it('runs a valid command, replies ok with the result, and audits it with the correlation data', async () => {
    const reply = await router(false).handle('echo', plain({ ts: NOW - 1000, nonce: 'n-00000001', args: { text: 'hi' } }), Buffer.from('c0ffee', 'hex'));
    assert.deepEqual(reply, { schema: 1, command: 'echo', nonce: 'n-00000001', ok: true, result: { echoed: 'hi' }, at: NOW });
    assert.deepEqual(schemaErrors('command-reply.v1', reply), []);
    assert.deepEqual(store.audit.recent(1), [{ at: NOW, command: 'echo', correlation: 'c0ffee', outcome: 'ok', code: null, detail: null }]);
  });

  const cases: [string, string, (r: CommandRouter, s: (c: string, b: { ts: number; nonce: string; args: Record<string, unknown> }, g?: string) => Buffer) => Promise<unknown>, boolean][] = [
    ['bad JSON', 'CMD_MALFORMED', (r) => r.handle('echo', Buffer.from('{not json'), undefined), false],
    ['a missing nonce', 'CMD_MALFORMED', (r) => r.handle('echo', plain({ ts: NOW, args: { text: 'x' } }), undefined), false],
    ['wrong args', 'CMD_MALFORMED', (r) => r.handle('echo', plain({ ts: NOW, nonce: 'n-00000002', args: { text: 5 } }), undefined), false],
    ['an unknown command', 'CMD_UNKNOWN', (r) => r.handle('self-destruct', plain({ ts: NOW, nonce: 'n-00000003', args: {} }), undefined), false],
    ['a stale timestamp', 'CMD_STALE', (r) => r.handle('echo', plain({ ts: NOW - 61_000, nonce: 'n-00000004', args: { text: 'x' } }), undefined), false],
    ['a timestamp from the future', 'CMD_STALE', (r) => r.handle('echo', plain({ ts: NOW + 61_000, nonce: 'n-00000005', args: { text: 'x' } }), undefined), false],
    ['a failing handler', 'CMD_FAILED', (r) => r.handle('boom', plain({ ts: NOW, nonce: 'n-00000006', args: {} }), undefined), false],
    ['an unsigned command when signing is required', 'CMD_UNAUTHORIZED', (r) => r.handle('echo', plain({ ts: NOW, nonce: 'n-00000007', args: { text: 'x' } }), undefined), true],
    ['a signature over other args', 'CMD_UNAUTHORIZED', (r, s) => r.handle('echo', Buffer.from(JSON.stringify({ ...(JSON.parse(s('echo', { ts: NOW, nonce: 'n-00000008', args: { text: 'a' } }).toString()) as object), args: { text: 'b' } })), undefined), true],
    ['a signature for another gateway', 'CMD_UNAUTHORIZED', (r, s) => r.handle('echo', s('echo', { ts: NOW, nonce: 'n-00000009', args: { text: 'a' } }, 'gw-2'), undefined), true],
  ];
  for (const [what, code, send, required] of cases) {
    it(`rejects ${what} with ${code}, an error reply and an audit row`, async () => {
      const reply = (await send(router(required), signed)) as { ok: boolean; error?: { code: string } };
      assert.equal(reply.ok, false);
      assert.equal(reply.error?.code, code);
      assert.deepEqual(schemaErrors('command-reply.v1', reply), []);
      const [audit] = store.audit.recent(1);
      assert.equal(audit?.outcome, 'error');
      assert.equal(audit.code, code);
      assert.deepEqual(echoed, []);
    });
  }

  it('logs a failing handler with the whole error: CMD_FAILED, its stack, and the cause with its own code and stack', async () => {
    const capture = captureLogs();
    try {
      const reply = await router(false).handle('disk', plain({ ts: NOW, nonce: 'n-0000000b', args: {} }), undefined);
      assert.equal(reply.error?.code, 'CMD_FAILED');
      const err = loggedError(capture.records(), 'command refused or failed');
      assert.equal(err.code, 'CMD_FAILED');
      assert.match(err.stack, /^HuxiaoError: cmd\/disk: EIO: i\/o error, write\n {4}at /);
      assert.equal(err.cause?.code, 'EIO');
      assert.match(err.cause.stack, /^Error: EIO: i\/o error, write\n {4}at .*commands\.test\.js/);
    } finally {
      capture.restore();
    }
  });

  it('accepts a signed command once and rejects its replay', async () => {
    const r = router(true);
    const body = signed('echo', { ts: NOW, nonce: 'n-0000000a', args: { text: 'once' } });
    assert.equal((await r.handle('echo', body, undefined)).ok, true);
    const replay = await r.handle('echo', body, undefined);
    assert.equal(replay.error?.code, 'CMD_UNAUTHORIZED');
    assert.match(replay.error.message, /nonce already used/);
    assert.deepEqual(echoed, [{ text: 'once' }]);
    assert.deepEqual(store.audit.recent(2).map((row) => row.outcome), ['error', 'ok']);
  });
});
