import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { shortClip } from '../../helpers/footage.js';
import { tempDir } from '../../helpers/tmp.js';

describe('huxiao replay', () => {
  let dir: { path: string; remove(): Promise<void> };
  let config: string;
  let clip: string;
  before(async () => {
    clip = await shortClip(3);
    dir = await tempDir('replay');
    config = join(dir.path, 'config.yaml');
    await writeFile(config, 'gateway: { id: gw-test }\ncameras:\n  - { id: pond, url: "rtsp://10.0.0.9/s", detect: { width: 320, height: 240, fps: 5 } }\n');
  });
  after(() => dir.remove());

  it('prints frames per media second and an end line, byte-identical on a second run', async () => {
    const args = ['replay', '--config', config, '--camera', 'pond', '--input', clip, '--start', '2025-03-01T07:30:00+08:00'];
    const first = await runCli(args);
    const second = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.stdout, first.stdout);
    const lines = first.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines, [
      { type: 'frames', t: 0, frames: 5 },
      { type: 'frames', t: 1, frames: 5 },
      { type: 'frames', t: 2, frames: 5 },
      { type: 'end', frames: 15, mediaSeconds: 3 },
    ]);
    assert.match(first.stderr, /replay: 15 frames, 3\.0 media s in .* s \(.* frames\/s, .*x real time\)/);
  });

  it('fails with REPLAY_INPUT for a missing or undecodable file', async () => {
    const missing = await runCli(['replay', '--config', config, '--camera', 'pond', '--input', join(dir.path, 'none.mp4')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /REPLAY_INPUT: .*none\.mp4: no such file/);
    const junk = await runCli(['replay', '--config', config, '--camera', 'pond', '--input', config]);
    assert.equal(junk.code, 1);
    assert.match(junk.stderr, /REPLAY_INPUT: .*config\.yaml: ffmpeg cannot decode it/);
    assert.equal(missing.stdout + junk.stdout, '');
  });

  it('rejects a --start that is not an ISO time', async () => {
    const result = await runCli(['replay', '--config', config, '--camera', 'pond', '--input', clip, '--start', 'yesterday']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /REPLAY_INPUT: --start: expected an ISO 8601 time/);
  });
});
