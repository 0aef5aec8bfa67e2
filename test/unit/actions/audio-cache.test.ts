import assert from 'node:assert/strict';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AudioCache } from '../../../edge/actions/audio-cache.js';
import { tempDir } from '../../helpers/tmp.js';

describe('audio cache', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir('audio-cache');
  });
  afterEach(() => dir.remove());

  it('produces a clip once, also for concurrent requests, and finds it again after a restart', async () => {
    let produced = 0;
    const produce = async (path: string): Promise<void> => {
      produced += 1;
      await writeFile(path, 'clip');
    };
    const cache = new AudioCache({ dir: dir.path, maxEntries: 10, maxBytes: 1_000_000 });
    await cache.start();
    const [a, b] = await Promise.all([cache.get('k1', produce), cache.get('k1', produce)]);
    assert.equal(a, b);
    assert.equal(produced, 1);
    const restarted = new AudioCache({ dir: dir.path, maxEntries: 10, maxBytes: 1_000_000 });
    await restarted.start();
    assert.equal(await restarted.get('k1', produce), a);
    assert.equal(produced, 1);
    assert.equal(await readFile(a, 'utf8'), 'clip');
  });

  it('never leaves a partial clip under its real name when production fails, and removes temp leftovers at start', async () => {
    const cache = new AudioCache({ dir: dir.path, maxEntries: 10, maxBytes: 1_000_000 });
    await cache.start();
    await assert.rejects(
      cache.get('bad', async (path) => {
        await writeFile(path, 'half');
        throw new Error('synthesis died');
      }),
      /synthesis died/,
    );
    assert.equal(await cache.lookup('bad'), undefined);
    await writeFile(join(dir.path, 'k.tmp-1-1.wav'), 'left by a crash');
    await cache.start();
    assert.deepEqual(await readdir(dir.path), []);
  });

  it('evicts the least recently used clips beyond the entry and byte bounds', async () => {
    const cache = new AudioCache({ dir: dir.path, maxEntries: 3, maxBytes: 1_000_000 });
    await cache.start();
    const at = (seconds: number): Date => new Date(1_700_000_000_000 + seconds * 1000);
    for (const [index, key] of ['a', 'b', 'c'].entries()) {
      const path = await cache.get(key, (p) => writeFile(p, key));
      await utimes(path, at(index), at(index));
    }
    // "a" is the oldest but was just used, so "b" is the least recently used when "d" arrives.
    assert.ok(await cache.lookup('a'));
    await cache.get('d', (p) => writeFile(p, 'd'));
    assert.deepEqual((await readdir(dir.path)).sort(), [cache.pathOf('a'), cache.pathOf('c'), cache.pathOf('d')].map((p) => p.slice(dir.path.length + 1)).sort());

    const small = new AudioCache({ dir: dir.path, maxEntries: 100, maxBytes: 2 });
    await small.start();
    assert.equal((await readdir(dir.path)).length, 2);
  });
});
