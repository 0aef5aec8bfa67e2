import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ffmpegTool } from '../../../edge/ingest/ffmpeg-process.js';
import { startToolReading } from '../../../edge/process/stdout-reader.js';
import { waitFor } from '../../helpers/wait.js';

/** Two 1280x720 RGB frames of ffmpeg's test pattern: 5.5 MB, many times the reader's buffer. */
const PATTERN = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=10', '-frames:v', '2', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'];

interface Received {
  bytes: number;
  readonly hash: ReturnType<typeof createHash>;
}

function sink(): { received: Received; onBytes: (bytes: Buffer) => void } {
  const received: Received = { bytes: 0, hash: createHash('sha256') };
  return {
    received,
    onBytes: (bytes) => {
      received.bytes += bytes.length;
      received.hash.update(bytes);
    },
  };
}

/** This process's open sockets, from /proc: a pair left open would stay among them. */
function openSockets(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

describe('startToolReading: a tool\'s stdout read into one reused buffer', () => {
  let tmp: string;
  let previousTmp: string | undefined;
  before(() => {
    previousTmp = process.env.TMPDIR;
    tmp = mkdtempSync(join(tmpdir(), 'stdout-reader-'));
    process.env.TMPDIR = tmp;
  });
  after(() => {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('hands over every byte a pipe would, in order, before the exit settles, and closes both ends', async () => {
    const sockets = openSockets();
    const piped = execFileSync('ffmpeg', PATTERN, { maxBuffer: 16 * 1024 * 1024 });
    assert.equal(piped.length, 2 * 1280 * 720 * 3);
    const { received, onBytes } = sink();
    const tool = await startToolReading(ffmpegTool(PATTERN), onBytes);
    const exit = await tool.exited;
    assert.deepEqual({ kind: exit.kind, code: exit.kind === 'exit' ? exit.code : undefined }, { kind: 'exit', code: 0 });
    assert.equal(received.bytes, piped.length);
    assert.equal(received.hash.digest('hex'), createHash('sha256').update(piped).digest('hex'));
    await waitFor('the pair closed', () => openSockets() === sockets);
  });

  it('stops a tool that writes without end, and leaves no socket or directory behind', async () => {
    const endless = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'];
    const { received, onBytes } = sink();
    const tool = await startToolReading(ffmpegTool(endless), onBytes);
    assert.ok(tool.running);
    assert.ok(tool.pid !== undefined);
    // The listening socket and its directory are gone once the pair is connected, while the tool runs.
    assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith('huxiao-out-')), []);
    await waitFor('three frames', () => received.bytes >= 3 * 320 * 240 * 3);
    const exit = await tool.stop();
    assert.equal(exit.kind, 'stopped');
    assert.equal(tool.running, false);
  });

  it('says which tool could not be started, with the caller\'s code', async () => {
    const { received, onBytes } = sink();
    const tool = await startToolReading({ command: 'huxiao-no-such-tool', args: [], errorCode: 'FFMPEG_MISSING' }, onBytes);
    const exit = await tool.exited;
    assert.ok(exit.kind === 'spawn-error', exit.kind);
    assert.equal(exit.error.code, 'FFMPEG_MISSING');
    assert.match(exit.error.message, /^huxiao-no-such-tool is not installed or not on PATH/);
    assert.equal(received.bytes, 0);
    assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith('huxiao-out-')), []);
  });
});
