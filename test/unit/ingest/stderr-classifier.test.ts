import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyStderrLine, worstFault, type ClassifiedLine } from '../../../edge/ingest/stderr-classifier.js';

/** Lines captured from ffmpeg 5.1 against scripts/rtsp-server.py and closed / silent ports on this machine. */
const REAL: readonly [string, string][] = [
  ['[rtsp @ 0x55a01460b940] method DESCRIBE failed: 401 Unauthorized', 'unauthorized'],
  ['rtsp://admin:wrong@127.0.0.1:8599/stream: Server returned 401 Unauthorized (authorization failed)', 'unauthorized'],
  ['[rtsp @ 0x564c30f76940] method DESCRIBE failed: 404 Not Found', 'not-found'],
  ['rtsp://127.0.0.1:8599/nope: Server returned 404 Not Found', 'not-found'],
  ['[tcp @ 0x564730571600] Connection to tcp://127.0.0.1:8599?timeout=0 failed: Connection refused', 'refused'],
  ['rtsp://127.0.0.1:8599/stream: Connection refused', 'refused'],
  ['[tcp @ 0x5611de835600] Connection to tcp://10.1.2.3:554?timeout=5000000 failed: Connection timed out', 'timeout'],
  ['[tcp @ 0x56057e6f3800] Failed to resolve hostname nonexistent.invalid: Name or service not known', 'unreachable'],
  ['[tcp @ 0x56057e6f3800] Connection to tcp://10.9.9.9:554?timeout=0 failed: No route to host', 'unreachable'],
  ['[rtsp @ 0x55d0] Decoder (codec hevc) not found for input stream #0:0', 'unsupported-codec'],
  ['[rtsp @ 0x55d0] Could not find codec parameters for stream 0 (Video: h264, none): unspecified size', 'unsupported-codec'],
  ['rtsp://127.0.0.1:8598/stream: Invalid data found when processing input', 'error'],
  ['[h264 @ 0x5580] error while decoding MB 12 30, bytestream -7', 'error'],
];

describe('classifyStderrLine', () => {
  for (const [line, fault] of REAL) {
    it(`${fault}: ${line}`, () => {
      assert.equal(classifyStderrLine(line)?.fault, fault);
    });
  }

  it('ignores lines that say nothing about health', () => {
    assert.equal(classifyStderrLine('   '), undefined);
    assert.equal(classifyStderrLine('Input #0, rtsp, from \'rtsp://127.0.0.1/stream\':'), undefined);
  });

  it('redacts credentials ffmpeg echoes back', () => {
    const classified = classifyStderrLine('rtsp://admin:s3cret@10.0.0.2:554/stream: Server returned 401 Unauthorized (authorization failed)');
    assert.ok(classified);
    assert.doesNotMatch(classified.text, /s3cret|admin/);
    assert.match(classified.text, /rtsp:\/\/\*\*\*@10\.0\.0\.2:554\/stream/);
  });
});

describe('worstFault', () => {
  it('prefers a specific cause over a generic error, else the first line', () => {
    const generic: ClassifiedLine = { fault: 'error', text: 'Invalid data' };
    const auth: ClassifiedLine = { fault: 'unauthorized', text: '401' };
    assert.equal(worstFault([generic, auth]), auth);
    assert.equal(worstFault([generic]), generic);
    assert.equal(worstFault([]), undefined);
  });
});
