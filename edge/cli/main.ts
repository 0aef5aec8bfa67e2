#!/usr/bin/env node
import { Command } from 'commander';
import { isHuxiaoError } from '../errors.js';
import { flushLogs } from '../log.js';
import { VERSION } from '../version.js';
import { registerCheck } from './check.js';
import { registerDemo } from './demo.js';
import { registerGallery } from './gallery.js';
import { registerProbe } from './probe.js';
import { registerReplay } from './replay.js';
import { registerRun } from './run.js';
import { registerSnapshot } from './snapshot.js';
import { registerSpeakerTest } from './speaker-test.js';

const program = new Command('huxiao')
  .description('Huxiao Edge: school-safety camera gateway runtime')
  .version(VERSION)
  .showHelpAfterError();

registerCheck(program);
registerDemo(program);
registerGallery(program);
registerProbe(program);
registerSnapshot(program);
registerReplay(program);
registerRun(program);
registerSpeakerTest(program);

/** Exit codes: 0 success, 1 runtime failure, 2 bad input (config, arguments, URL). */
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (isHuxiaoError(error)) {
    process.stderr.write(`huxiao: ${error.code}: ${error.message}\n`);
    process.exitCode = error.code.startsWith('CONFIG_') || error.code === 'CAMERA_URL' || error.code === 'CAMERA_UNKNOWN' ? 2 : 1;
  } else {
    process.stderr.write(`huxiao: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
} finally {
  await flushLogs();
}
