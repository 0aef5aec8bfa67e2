#!/usr/bin/env node
import { Command } from 'commander';
import { flushLogs } from '../log.js';
import { VERSION } from '../version.js';
import { registerCheck } from './check.js';
import { registerDemo } from './demo.js';
import { registerEnroll } from './enroll.js';
import { registerFaces } from './faces.js';
import { failureReport } from './failure.js';
import { registerGallery } from './gallery.js';
import { registerProbe } from './probe.js';
import { registerReplay } from './replay.js';
import { registerRun } from './run.js';
import { registerSnapshot } from './snapshot.js';
import { registerSpeakerTest } from './speaker-test.js';
import { registerWebPassword } from './web-password.js';

const program = new Command('huxiao')
  .description('Huxiao Edge: school-safety camera gateway runtime')
  .version(VERSION)
  .showHelpAfterError();

registerCheck(program);
registerDemo(program);
registerEnroll(program);
registerFaces(program);
registerGallery(program);
registerProbe(program);
registerSnapshot(program);
registerReplay(program);
registerRun(program);
registerSpeakerTest(program);
registerWebPassword(program);

/** Exit codes: 0 success, 1 runtime failure, 2 bad input (config, arguments, URL). */
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const report = failureReport(error);
  process.stderr.write(report.text);
  process.exitCode = report.exitCode;
} finally {
  await flushLogs();
}
