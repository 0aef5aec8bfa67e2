import { appendFileSync } from 'node:fs';

/**
 * The "sound card" of the tests: ALSA's file plugin pipes the PCM stream of aplay into this process, which consumes it
 * at the real sample rate (so aplay blocks as on a real card once the pipe is full) and logs when it opened and closed.
 * Usage: node sound-sink-process.js <log file> <bytes per second>
 */
const [logPath, rateText] = process.argv.slice(2);
// `node --test dist/test/` runs every file under test/ once without arguments; there is nothing to do then.
if (logPath === undefined || rateText === undefined) process.exit(0);
const bytesPerSecond = Number(rateText);
const openedAt = Date.now();
let bytes = 0;
appendFileSync(logPath, `${JSON.stringify({ event: 'open', at: openedAt, pid: process.pid })}\n`);
process.stdin.on('data', (chunk: Buffer) => {
  bytes += chunk.length;
  const due = openedAt + (bytes / bytesPerSecond) * 1000 - Date.now();
  if (due > 0) {
    process.stdin.pause();
    setTimeout(() => process.stdin.resume(), due);
  }
});
process.stdin.on('end', () => {
  appendFileSync(logPath, `${JSON.stringify({ event: 'close', at: Date.now(), pid: process.pid, bytes })}\n`);
});
