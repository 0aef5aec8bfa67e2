import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import type { FuzzOutcome } from './fuzz-worker.js';
import { mutants, seeded, type Mutant } from './mutations.js';

/** A hang detector, not a speed limit: one small file takes milliseconds, this allows for a loaded 2-core box. */
const DEADLINE_MS = 10_000;
const CONFIG_DIR = new URL('../../../../config/', import.meta.url);

/** The examples with their secrets available, so a mutant that is still a valid config loads as one. */
function examples(secretsDir: string): { name: string; text: string }[] {
  return readdirSync(CONFIG_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => ({ name, text: readFileSync(new URL(name, CONFIG_DIR), 'utf8').replaceAll('/etc/huxiao/secrets/', `${secretsDir}/`) }));
}

class FuzzRunner {
  readonly #worker: Worker;
  #exited: Error | undefined;

  constructor() {
    this.#worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { env: { ...process.env, HUXIAO_POND_EAST_PASSWORD: 'pond', HUXIAO_ENTRANCE_PASSWORD: 'door' } });
    this.#worker.on('error', (error) => (this.#exited = error));
    this.#worker.on('exit', (code) => (this.#exited ??= new Error(`the loader's worker exited with code ${code}`)));
  }

  load(mutant: Mutant): Promise<FuzzOutcome> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${mutant.name}: no answer within ${DEADLINE_MS} ms (the loader hangs)`));
      }, DEADLINE_MS);
      const onMessage = (outcome: FuzzOutcome): void => {
        cleanup();
        resolve(outcome);
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`${mutant.name}: the loader crashed the process: ${this.#exited?.message ?? 'exit'}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#worker.off('message', onMessage);
        this.#worker.off('exit', onExit);
      };
      if (this.#exited !== undefined) {
        onExit();
        return;
      }
      this.#worker.on('message', onMessage);
      this.#worker.on('exit', onExit);
      this.#worker.postMessage(mutant);
    });
  }

  stop(): Promise<number> {
    return this.#worker.terminate();
  }
}

describe('config loader fuzz over mutations of every example', () => {
  const secretsDir = mkdtempSync(join(tmpdir(), 'huxiao-fuzz-secrets-'));
  for (const name of ['gate-street', 'guard-post', 'wall-east', 'mqtt']) writeFileSync(join(secretsDir, name), `${name}-secret\n`);
  after(() => {
    rmSync(secretsDir, { recursive: true, force: true });
  });

  it('every mutant is a valid config or exit 2 with "path: problem (line N)" lines, never a stack trace, never a hang', { timeout: 600_000 }, async () => {
    const random = seeded(20_250_301);
    const cases = examples(secretsDir).flatMap(({ name, text }) => mutants(name, text, random, 8));
    assert.ok(cases.length >= 300, `only ${cases.length} cases`);
    const runner = new FuzzRunner();
    const valid: string[] = [];
    const problems: string[] = [];
    try {
      for (const mutant of cases) {
        const outcome = await runner.load(mutant);
        if (outcome.valid) {
          valid.push(mutant.kind);
          continue;
        }
        const output = outcome.output ?? '';
        const [head = '', ...lines] = output.trimEnd().split('\n');
        const wrong = [
          outcome.exitCode === 2 ? undefined : `exit ${String(outcome.exitCode)}`,
          head.startsWith(`huxiao: CONFIG_SYNTAX: ${mutant.name}: `) || head.startsWith(`huxiao: CONFIG_INVALID: ${mutant.name}: `) ? undefined : `first line "${head}"`,
          lines.length > 0 && lines.every((line) => /^ {2}\S[^\n]*?: \S/.test(line)) ? undefined : 'problem lines not "path: problem"',
          /\n\s+at |unexpected failure/.test(output) ? 'a stack trace' : undefined,
          (outcome.unplaced ?? []).length === 0 ? undefined : `no line for ${(outcome.unplaced ?? []).join('; ')}`,
        ].filter((text) => text !== undefined);
        if (wrong.length > 0) problems.push(`${mutant.name}: ${wrong.join(', ')}\n${output}`);
      }
    } finally {
      await runner.stop();
    }
    assert.deepEqual(problems, []);
    // The mutations are not all fatal: some leave a valid file (a deleted comment, a merge that still fits the schema).
    assert.ok(valid.length > 0 && valid.length < cases.length / 2, `${valid.length} of ${cases.length} mutants valid`);
  });
});
