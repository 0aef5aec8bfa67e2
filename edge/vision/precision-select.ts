import ort from 'onnxruntime-node';
import { moduleLogger } from '../log.js';
import { readCpuInfo } from './cpu-info.js';
import { inputVariants, selectModel, type Manifest, type ModelEntry, type ModelRole } from './manifest.js';
import type { InferenceSample } from './inference-queue.js';
import { ModelSession } from './model-session.js';
import { PrecisionCache, precisionKey } from './precision-cache.js';
import { autoCandidates, choosePrecision, median, type Medians, type PrecisionReason, type PrecisionSetting } from './precision-choice.js';
import { DEFAULT_MEASURE, timeInterleaved, type MeasureOptions } from './precision-measure.js';

export interface PrecisionSelectorOptions {
  readonly manifest: Manifest;
  readonly manifestPath: string;
  readonly modelsDir: string;
  readonly threads: number;
  readonly queueSize: number;
  /** Roles whose sessions also load their entry's other input shapes (manifest `inputOf`), for fitting pictures. */
  readonly fitInputs?: readonly ModelRole[];
  /** Where precision.json lives; without it `auto` never measures and takes the manifest's default. */
  readonly stateDir?: string;
  readonly measure?: MeasureOptions;
  /** Every completed run of the sessions it opens, by model name (the latency histograms). */
  readonly observe?: (model: string, sample: InferenceSample) => void;
}

export type RoleOutcome =
  | { readonly state: 'ready'; readonly session: ModelSession; readonly reason: PrecisionReason; readonly medianMs?: Medians }
  | { readonly state: 'failed'; readonly error: unknown; readonly entry?: ModelEntry };

const roundMs = (ms: number): number => Math.round(ms * 100) / 100;

type Started = { readonly session: ModelSession } | { readonly error: unknown };

/**
 * Opens the session of each role at the precision its setting asks for. `auto` with two candidates takes the choice
 * kept in precision.json for this machine, or times both builds and keeps the faster; an explicit setting always wins.
 * The session returned is the one measured, so the winner is not loaded twice; the loser's is released.
 */
export class PrecisionSelector {
  readonly #options: PrecisionSelectorOptions;
  readonly #log = moduleLogger('vision');
  #cache: Promise<PrecisionCache> | undefined;

  constructor(options: PrecisionSelectorOptions) {
    this.#options = options;
  }

  async open(role: ModelRole, setting: PrecisionSetting): Promise<RoleOutcome> {
    const { manifest, manifestPath, stateDir } = this.#options;
    let entries: readonly ModelEntry[];
    let single: string | undefined;
    try {
      if (setting !== 'auto') return await this.#ready(role, selectModel(manifest, role, setting, manifestPath), 'explicit');
      ({ entries, single } = autoCandidates(manifest, role, manifestPath));
    } catch (error) {
      return { state: 'failed', error };
    }
    const [first, second] = entries;
    if (first === undefined) return { state: 'failed', error: new Error(`no model for role ${role}`) };
    if (second === undefined) return this.#ready(role, first, 'only-candidate', single);
    if (stateDir === undefined) return this.#ready(role, first, 'manifest-default', 'no state directory to keep a measurement in');
    return this.#auto(role, first, second, stateDir);
  }

  async #ready(role: ModelRole, entry: ModelEntry, reason: PrecisionReason, why?: string): Promise<RoleOutcome> {
    const started = await this.#start(entry);
    if ('error' in started) return { state: 'failed', error: started.error, entry };
    this.#log.info({ role, model: entry.name, precision: entry.precision, reason, ...(why === undefined ? {} : { why }) }, 'precision chosen');
    return { state: 'ready', session: started.session, reason };
  }

  async #auto(role: ModelRole, preferred: ModelEntry, other: ModelEntry, stateDir: string): Promise<RoleOutcome> {
    const int8 = preferred.precision === 'int8' ? preferred : other;
    const fp32 = preferred.precision === 'int8' ? other : preferred;
    const cache = await this.#openCache(stateDir);
    const key = precisionKey(await readCpuInfo(), ort.env.versions.node ?? ort.env.versions.common, this.#options.threads, int8, fp32);
    const cached = cache.lookup(role, key);
    if (cached !== undefined) {
      const entry = cached.choice === 'int8' ? int8 : fp32;
      const started = await this.#start(entry);
      if ('session' in started) {
        this.#log.info({ role, model: entry.name, precision: entry.precision, reason: 'auto-cached', medianMs: cached.medianMs, measuredAt: cached.measuredAt }, 'precision chosen');
        return { state: 'ready', session: started.session, reason: 'auto-cached', medianMs: cached.medianMs };
      }
      this.#log.error({ role, model: entry.name, err: started.error }, 'the cached precision choice cannot be loaded; trying both builds');
    }

    const a = await this.#start(int8);
    const b = await this.#start(fp32);
    if (!('session' in a && 'session' in b)) return this.#onlyLoadable(role, preferred, [[int8, a], [fp32, b]]);

    let samples: number[][];
    try {
      samples = await timeInterleaved([a.session, b.session], this.#options.measure ?? DEFAULT_MEASURE);
    } catch (error) {
      await Promise.all([a.session.stop(), b.session.stop()]);
      return { state: 'failed', error, entry: preferred };
    }
    // Rounded before choosing, so the figures in precision.json and the log are the ones the choice was made on.
    const medianMs = { int8: roundMs(median(samples[0] ?? [])), fp32: roundMs(median(samples[1] ?? [])) };
    const choice = choosePrecision(medianMs);
    const [winner, loser] = choice === 'int8' ? [a.session, b.session] : [b.session, a.session];
    await loser.stop();
    const runs = Math.min(samples[0]?.length ?? 0, samples[1]?.length ?? 0);
    try {
      await cache.store({ key, role, choice, medianMs, runs, measuredAt: new Date().toISOString() });
    } catch (error) {
      this.#log.warn({ role, path: cache.path, err: error }, 'cannot write the precision cache; the next start measures again');
    }
    this.#log.info(
      { role, model: winner.entry.name, precision: choice, reason: 'auto-measured', medianMs, ratio: Number((medianMs.int8 / medianMs.fp32).toFixed(3)), runs, key },
      'precision chosen',
    );
    return { state: 'ready', session: winner, reason: 'auto-measured', medianMs };
  }

  /** Auto with two candidates of which at least one failed to load: the other if it loaded, else the preferred one's error. */
  #onlyLoadable(role: ModelRole, preferred: ModelEntry, attempts: readonly (readonly [ModelEntry, Started])[]): RoleOutcome {
    let loaded: ModelSession | undefined;
    let failure: { entry: ModelEntry; error: unknown } | undefined;
    for (const [entry, started] of attempts) {
      if ('session' in started) {
        loaded = started.session;
        continue;
      }
      if (failure === undefined || entry === preferred) failure = { entry, error: started.error };
    }
    if (loaded === undefined) return { state: 'failed', error: failure?.error, ...(failure === undefined ? {} : { entry: failure.entry }) };
    this.#log.error({ role, model: failure?.entry.name, err: failure?.error }, 'one build cannot be loaded; auto precision uses the other');
    this.#log.info({ role, model: loaded.entry.name, precision: loaded.entry.precision, reason: 'only-loadable' }, 'precision chosen');
    return { state: 'ready', session: loaded, reason: 'only-loadable' };
  }

  async #start(entry: ModelEntry): Promise<Started> {
    const { manifest, modelsDir, threads, queueSize, observe, fitInputs } = this.#options;
    const inputs = fitInputs?.includes(entry.role) === true ? inputVariants(manifest, entry) : [];
    const session = new ModelSession({ modelsDir, entry, inputs, threads, queueSize, ...(observe === undefined ? {} : { observe: (sample: InferenceSample) => { observe(entry.name, sample); } }) });
    try {
      await session.start();
      return { session };
    } catch (error) {
      await session.stop();
      return { error };
    }
  }

  /** precision.json, read once per start; a file that cannot be trusted is reported and replaced by the next measurement. */
  #openCache(stateDir: string): Promise<PrecisionCache> {
    this.#cache ??= PrecisionCache.open(stateDir).then(({ cache, problem }) => {
      if (problem !== undefined) this.#log.warn({ path: cache.path, problem }, 'ignoring the precision cache; measuring again');
      return cache;
    });
    return this.#cache;
  }
}
