import '../helpers/quiet.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Phases, type Phase } from '../../edge/phases.js';

/** Phases that record what ran; `failing` throws in start, `failingStop` in stop, `onStart` runs inside a start. */
function recorded(names: readonly string[], options: { failing?: string; failingStop?: string; onStart?: (name: string) => void } = {}) {
  const trail: string[] = [];
  const phases: Phase[] = names.map((name) => ({
    name,
    start: async () => {
      trail.push(`start ${name}`);
      options.onStart?.(name);
      await Promise.resolve();
      if (name === options.failing) throw new Error(`${name} broke`);
    },
    stop: () => {
      trail.push(`stop ${name}`);
      if (name === options.failingStop) throw new Error(`${name} stop broke`);
    },
  }));
  return { phases, trail };
}

describe('start-up phases', () => {
  it('starts in order and stops in reverse', async () => {
    const { phases, trail } = recorded(['a', 'b', 'c']);
    const runner = new Phases();
    assert.deepEqual(await runner.start(phases, new AbortController().signal), { kind: 'started' });
    assert.deepEqual(await runner.stop(), { stopped: ['c', 'b', 'a'], failed: [] });
    assert.deepEqual(trail, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    assert.deepEqual(await runner.stop(), { stopped: [], failed: [] }, 'a second stop has nothing left to stop');
  });

  it('undoes what started, the failing phase included, and returns its error', async () => {
    const { phases, trail } = recorded(['storage', 'uplink', 'vision'], { failing: 'uplink' });
    const outcome = await new Phases().start(phases, new AbortController().signal);
    assert.ok(outcome.kind === 'failed', outcome.kind);
    assert.equal(outcome.phase, 'uplink');
    assert.equal((outcome.error as Error).message, 'uplink broke');
    assert.deepEqual(outcome.undo, { stopped: ['uplink', 'storage'], failed: [] });
    assert.deepEqual(trail, ['start storage', 'start uplink', 'stop uplink', 'stop storage']);
  });

  it('honours an abort between phases and starts nothing after it', async () => {
    const abort = new AbortController();
    const { phases, trail } = recorded(['a', 'b', 'c'], { onStart: (name) => { if (name === 'b') abort.abort(new Error('SIGTERM')); } });
    const outcome = await new Phases().start(phases, abort.signal);
    assert.deepEqual(outcome, { kind: 'aborted', phase: 'c', undo: { stopped: ['b', 'a'], failed: [] } });
    assert.deepEqual(trail, ['start a', 'start b', 'stop b', 'stop a']);
  });

  it('treats a phase that throws the abort reason as aborted, not failed', async () => {
    const abort = new AbortController();
    const phases: Phase[] = [
      { name: 'a', start: () => undefined, stop: () => undefined },
      { name: 'models', start: (signal) => { abort.abort(new Error('SIGTERM')); signal.throwIfAborted(); }, stop: () => undefined },
    ];
    const outcome = await new Phases().start(phases, abort.signal);
    assert.deepEqual(outcome, { kind: 'aborted', phase: 'models', undo: { stopped: ['models', 'a'], failed: [] } });
  });

  it('continues past a failing stop and reports it', async () => {
    const { phases, trail } = recorded(['a', 'b', 'c'], { failingStop: 'b' });
    const runner = new Phases();
    await runner.start(phases, new AbortController().signal);
    assert.deepEqual(await runner.stop(), { stopped: ['c', 'b', 'a'], failed: ['b'] });
    assert.deepEqual(trail.slice(3), ['stop c', 'stop b', 'stop a']);
  });
});
