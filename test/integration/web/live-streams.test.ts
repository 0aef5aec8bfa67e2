import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../../edge/config/load.js';
import type { Camera } from '../../../edge/ingest/ffmpeg-args.js';
import { LiveStreams, type Viewer } from '../../../edge/web/live-streams.js';
import { captureLogs } from '../../helpers/logs.js';
import { startRtspServer, type RtspTestServer } from '../../helpers/rtsp-server.js';
import { waitFor } from '../../helpers/wait.js';

/** A websocket as the hub sees it, keeping what it was sent. */
class RecordingViewer implements Viewer {
  readonly chunks: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  bufferedAmount = 0;

  send(data: Buffer): void {
    this.chunks.push(Buffer.from(data));
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** MPEG-TS packets (188 bytes, sync byte 0x47) carrying an MPEG-1 video sequence header (00 00 01 B3), as JSMpeg needs. */
function assertMpeg1Ts(data: Buffer): void {
  const start = data.indexOf(0x47);
  assert.ok(start >= 0 && data.length - start > 188 * 10, `${String(data.length)} bytes of MPEG-TS`);
  for (let at = start; at + 188 <= Math.min(data.length, start + 188 * 50); at += 188) assert.equal(data[at], 0x47, `sync byte at ${String(at)}`);
  assert.ok(data.includes(Buffer.from([0x00, 0x00, 0x01, 0xb3])), 'an MPEG-1 sequence header');
}

/** The hub with the real ffmpeg and the RTSP test camera: on demand, shared, restarted, stopped. */
describe('live view streams', { timeout: 120_000 }, () => {
  let rtsp: RtspTestServer;
  let camera: Camera;
  let streams: LiveStreams;

  before(async () => {
    rtsp = await startRtspServer();
    camera = parseConfig(JSON.stringify({ gateway: { id: 'gw-live' }, cameras: [{ id: 'gate', url: rtsp.url(), detect: { width: 768, height: 576, fps: 5 } }] }), 'live.yaml').cameras[0] as Camera;
    streams = new LiveStreams({ camera: (id) => (id === 'gate' ? camera : undefined) });
  });

  after(async () => {
    await streams.stop();
    await rtsp.stop();
  });

  it('runs no encoder without a viewer, one for all viewers of a camera, and none for an unknown camera', async () => {
    assert.deepEqual(streams.status('gate'), { viewers: 0, pid: undefined, starts: 0 });
    assert.equal(streams.join('nope', new RecordingViewer()), undefined);
    const first = new RecordingViewer();
    const second = new RecordingViewer();
    const leaveFirst = streams.join('gate', first);
    const leaveSecond = streams.join('gate', second);
    assert.ok(leaveFirst !== undefined && leaveSecond !== undefined);
    assert.equal(streams.status('gate').starts, 1, 'one encoder for both viewers');
    await waitFor('live data', () => first.bytes.length > 188 * 200 && second.bytes.length > 188 * 200);
    assertMpeg1Ts(first.bytes);
    assertMpeg1Ts(second.bytes);
    const pid = streams.status('gate').pid;
    assert.ok(pid !== undefined && alive(pid));

    leaveFirst();
    assert.equal(streams.status('gate').pid, pid, 'still watched by the second viewer');
    leaveSecond();
    await waitFor('the encoder to exit once nobody watches', () => !alive(pid));
    assert.deepEqual(streams.status('gate'), { viewers: 0, pid: undefined, starts: 0 });
  });

  it('restarts an encoder that dies while someone watches, and the picture flows again', async () => {
    const viewer = new RecordingViewer();
    const leave = streams.join('gate', viewer);
    assert.ok(leave !== undefined);
    await waitFor('live data', () => viewer.bytes.length > 188 * 100);
    const pid = streams.status('gate').pid;
    assert.ok(pid !== undefined);
    const logs = captureLogs();
    try {
      process.kill(pid, 'SIGKILL');
      await waitFor('a new encoder', () => streams.status('gate').starts === 2 && streams.status('gate').pid !== undefined);
    } finally {
      logs.restore();
    }
    const warning = logs.records().find((record) => record.msg === 'live view encoder ended while watched; restarting');
    assert.equal(warning?.exit, 'SIGKILL');
    assert.notEqual(streams.status('gate').pid, pid);
    const before = viewer.bytes.length;
    await waitFor('data from the new encoder', () => viewer.bytes.length > before + 188 * 100);
    assertMpeg1Ts(viewer.bytes.subarray(before));
    assert.equal(viewer.closed, undefined, 'the viewer stayed connected through the restart');
    leave();
  });

  it('drops a viewer that falls far behind, without stopping the others', async () => {
    const slow = new RecordingViewer();
    const fast = new RecordingViewer();
    slow.bufferedAmount = 5 * 1024 * 1024;
    const leaveSlow = streams.join('gate', slow);
    const leaveFast = streams.join('gate', fast);
    await waitFor('the slow viewer to be dropped', () => slow.closed !== undefined);
    assert.equal(slow.closed?.code, 1013);
    assert.equal(slow.chunks.length, 0);
    await waitFor('data for the other viewer', () => fast.bytes.length > 188 * 50);
    assert.equal(streams.status('gate').viewers, 1);
    leaveSlow?.();
    leaveFast?.();
  });
});
