import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { isHuxiaoError } from '../../../edge/errors.js';
import { runTool } from '../../../edge/process/run-tool.js';
import { describeExit, startTool, type PipedTool } from '../../../edge/process/tool.js';
import { waitFor } from '../../helpers/wait.js';

/** A real shell script as the tool. */
const sh = (script: string) => ({ command: 'sh', args: ['-c', script], errorCode: 'AUDIO_RENDER' as const });

/**
 * The first stdout line of a piped tool (scripts print their pid, or "ready", before they block). The reader stays
 * open: a piped stdout must be read to its end for the exit to settle.
 */
function firstLine(tool: PipedTool): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: tool.stdout });
    lines.once('line', resolve);
    lines.once('close', () => {
      reject(new Error('stdout ended before a line'));
    });
  });
}

/** The state letter of /proc/<pid>/stat: S sleeping, T stopped by a signal. */
function processState(pid: number): string | undefined {
  return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'))?.[1];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('startTool / runTool with real processes', { concurrency: true }, () => {
  it('names a missing tool, the package to install and what it is for, with the caller\'s code', async () => {
    const tool = startTool({ command: 'huxiao-no-such-tool', args: [], errorCode: 'FFMPEG_MISSING', purpose: 'the test' });
    const exit = await tool.exited;
    assert.ok(exit.kind === 'spawn-error', exit.kind);
    assert.equal(exit.error.code, 'FFMPEG_MISSING');
    assert.equal(exit.error.message, 'huxiao-no-such-tool is not installed or not on PATH (apt-get install huxiao-no-such-tool); needed for the test');
    assert.equal(tool.running, false);
    await assert.rejects(
      runTool({ command: '/nowhere/bin/aplay', args: [], errorCode: 'AUDIO_TOOL_MISSING' }),
      (error: unknown) => isHuxiaoError(error) && error.code === 'AUDIO_TOOL_MISSING' && error.message === '/nowhere/bin/aplay is not installed or not on PATH (apt-get install alsa-utils)',
    );
  });

  it('reports an argument spawn() refuses as a tool that could not start, never a throw', async () => {
    const tool = startTool({ ...sh('true'), args: ['-c', 'nul\u0000byte'], stdout: 'pipe' });
    const exit = await tool.exited;
    assert.ok(exit.kind === 'spawn-error', exit.kind);
    assert.match(exit.error.message, /^cannot start sh: /);
    assert.equal(await tool.stdout.toArray().then((chunks) => chunks.length), 0);
  });

  it('tells an exit code apart and keeps its stderr, line by line to the classifier', async () => {
    const seen: string[] = [];
    const tool = startTool({ ...sh('printf "first\\nsecond\\r\\nlast without newline" >&2; exit 3'), onStderrLine: (line) => seen.push(line) });
    const exit = await tool.exited;
    assert.deepEqual({ kind: exit.kind, code: exit.kind === 'exit' ? exit.code : undefined }, { kind: 'exit', code: 3 });
    assert.equal(describeExit(exit), 'exit 3');
    assert.deepEqual(exit.stderr, ['first', 'second', 'last without newline']);
    assert.deepEqual(seen, exit.stderr);
  });

  it('keeps only the last lines of a chatty stderr, while the classifier sees every line', async () => {
    let seen = 0;
    const tool = startTool({ ...sh('i=1; while [ $i -le 3000 ]; do echo "warning $i" >&2; i=$((i + 1)); done'), tail: { lines: 4 }, onStderrLine: () => (seen += 1) });
    const exit = await tool.exited;
    assert.equal(exit.kind, 'exit');
    assert.equal(seen, 3000);
    assert.deepEqual(exit.stderr, ['warning 2997', 'warning 2998', 'warning 2999', 'warning 3000']);
  });

  it('stops a cooperating tool with SIGTERM', async () => {
    const tool = startTool({ ...sh('echo $$; exec sleep 30'), stdout: 'pipe' });
    const pid = Number(await firstLine(tool));
    const exit = await tool.stop({ graceMs: 30_000 });
    assert.deepEqual({ kind: exit.kind, signal: 'signal' in exit ? exit.signal : undefined }, { kind: 'stopped', signal: 'SIGTERM' });
    assert.equal(alive(pid), false);
    assert.equal(await tool.stop(), exit, 'a second stop returns the same exit');
  });

  it('kills a tool that ignores SIGTERM with SIGKILL after the grace, leaving no process behind', async () => {
    // exec keeps one process: the ignored SIGTERM is inherited by sleep, so only SIGKILL can end it.
    const tool = startTool({ ...sh('trap "" TERM; echo $$; exec sleep 30'), stdout: 'pipe' });
    const pid = Number(await firstLine(tool));
    assert.equal(alive(pid), true);
    const exit = await tool.stop({ graceMs: 300 });
    assert.deepEqual({ kind: exit.kind, signal: 'signal' in exit ? exit.signal : undefined }, { kind: 'stopped', signal: 'SIGKILL' });
    assert.ok(exit.ranMs >= 300, `ended after ${String(exit.ranMs)} ms, before the grace`);
    assert.equal(alive(pid), false);
  });

  it('ends a tool that runs past its timeout and says so', async () => {
    const tool = startTool({ ...sh('exec sleep 30'), timeoutMs: 200, killGraceMs: 5000 });
    const exit = await tool.exited;
    assert.deepEqual({ kind: exit.kind, signal: 'signal' in exit ? exit.signal : undefined }, { kind: 'timeout', signal: 'SIGTERM' });
    assert.equal(describeExit(exit), 'timed out after 200 ms');
  });

  it('tells a signal nobody here sent apart from a stop', async () => {
    const exit = await startTool(sh('kill -KILL $$')).exited;
    assert.deepEqual({ kind: exit.kind, signal: 'signal' in exit ? exit.signal : undefined }, { kind: 'signal', signal: 'SIGKILL' });
    assert.equal(describeExit(exit), 'SIGKILL');
  });

  it('feeds input to stdin and collects stdout', async () => {
    const { exit, stdout } = await runTool({ ...sh('tr a-z A-Z'), input: '三年级 class two\n' });
    assert.equal(exit.kind, 'exit');
    assert.equal(stdout, '三年级 CLASS TWO\n');
  });

  it('holds stdin open until asked to end it, for tools that run until EOF', async () => {
    const tool = startTool({ ...sh('echo ready; read -r _; echo "got eof" >&2'), stdout: 'pipe', holdStdin: true });
    assert.equal(await firstLine(tool), 'ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(tool.running, true, 'still waiting on stdin');
    const exit = await tool.stop({ ask: 'end-stdin', graceMs: 30_000 });
    assert.deepEqual({ kind: exit.kind, signal: 'signal' in exit ? exit.signal : undefined, stderr: exit.stderr }, { kind: 'stopped', signal: null, stderr: ['got eof'] });
  });

  it('freezes and thaws a tool with signals', async () => {
    const tool = startTool({ ...sh('echo $$; exec sleep 30'), stdout: 'pipe' });
    const pid = Number(await firstLine(tool));
    tool.signal('SIGSTOP');
    await waitFor('the tool to be stopped', () => processState(pid) === 'T');
    tool.signal('SIGCONT');
    await waitFor('the tool to run again', () => processState(pid) === 'S');
    const exit = await tool.stop({ graceMs: 30_000 });
    assert.equal(exit.kind, 'stopped');
    assert.equal(alive(pid), false);
  });
});
