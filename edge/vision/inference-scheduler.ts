import { moduleLogger } from '../log.js';
import type { ModelRole } from './manifest.js';

/**
 * How much a job matters when the budget is short: an urgent job (an object moving near a fence or a line) is served
 * before any normal one (presence over seconds), and a normal one before a low one (re-checking what stands still),
 * beyond the floor each lower tier keeps (TIER_FLOORS).
 */
export const URGENCIES = ['urgent', 'normal', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** One model run a camera asks for now. */
export interface InferenceJob {
  readonly camera: string;
  /** Which model; its cost is learnt per role from observe(). */
  readonly model: ModelRole;
  /** A second model the job may run after the first (a face found is embedded): charged too, at its learnt cost. */
  readonly then?: ModelRole;
  readonly urgency: Urgency;
  /** How often the camera wants jobs of this kind at the moment, in ms between runs: its demand on the budget. */
  readonly intervalMs: number;
  /** Expected model time of the run; by default what observe() learnt for the model. */
  readonly costMs?: number;
}

export interface InferenceSchedulerOptions {
  /** Model time per second of wall clock shared out among cameras (ms/s); undefined: no limit (replay, tests). */
  readonly budgetMsPerSecond?: number;
}

/** One camera's standing with the scheduler, for telemetry, metrics and the log. */
export interface CameraShare {
  readonly camera: string;
  /** The most urgent of the camera's current demands. */
  readonly urgency: Urgency;
  /** Runs per second the camera asks for now. */
  readonly wantHz: number;
  /** Runs per second its fair share of the budget allows. */
  readonly grantHz: number;
  /** Runs per second admitted over the last few seconds. */
  readonly ranHz: number;
  /** Its fair share is below what its rules ask for: the camera runs degraded for lack of budget. */
  readonly limited: boolean;
}

interface Demand {
  readonly urgency: Urgency;
  readonly intervalMs: number;
  readonly costMs: number;
  readonly at: number;
}

interface Account {
  readonly demands: Map<ModelRole, Demand>;
  /** Model time the camera may still spend (ms); refilled at its grant, spent by each admitted job. */
  tokens: number;
  refilledAt: number;
  readonly admitted: number[];
  /** Its share was below its demand at the last admission; logged when it changes. */
  limited: boolean;
}

/** Assumed run time of a model not yet observed: a detector run on a 2-core box. */
const DEFAULT_COST_MS = 50;
/** Weight of a new run time in the learnt cost. */
const COST_SMOOTHING = 0.1;
/** A demand not renewed for twice its interval (and at least this long) has ended. */
const DEMAND_TTL_MS = 2000;
/** Admitted runs are counted over this window for the rate a camera gets. */
const RATE_WINDOW_MS = 5000;
/** A camera may save up this much of its grant (seconds of it), so a burst after a quiet moment is served at once. */
const BURST_SECONDS = 1;
/**
 * The share of the budget held for each tier below urgent while it asks for it, however much the tiers above want.
 * Strict priority starved them on a box whose fence detection alone wanted the whole budget (a detector run of 80 ms
 * at 10 fps is 800 ms/s of 700): no face was ever looked at, so no warning said a name, and a guard standing at the
 * post was never re-checked. Fence detection keeps at least 80% of the budget, cut visibly like any other share.
 */
export const TIER_FLOORS: Readonly<Record<Urgency, number>> = { urgent: 0, normal: 0.1, low: 0.1 };

/**
 * The one place that spends the box's inference budget across cameras. Each camera says what it wants (a job with
 * an urgency and the interval it wants such jobs at); the budget is shared out urgency by urgency with max-min
 * fairness (every camera's demand is met up to an equal share, the unused rest goes to those that want more), and
 * a job is admitted when its camera's share has paid for it. Under overload every camera is cut to the same share
 * of its tier, never one starved, no tier either (TIER_FLOORS), and `shares()` names the cameras running below
 * what their rules ask for.
 * Decisions depend only on the `now` passed in, so a fake clock drives it in tests.
 */
export class InferenceScheduler {
  readonly #budget: number | undefined;
  readonly #accounts = new Map<string, Account>();
  readonly #costs = new Map<ModelRole, number>();
  readonly #log = moduleLogger('scheduler');

  constructor(options: InferenceSchedulerOptions = {}) {
    this.#budget = options.budgetMsPerSecond;
  }

  /** Whether `job` may run now; when it may, its cost is charged to its camera. */
  admit(job: InferenceJob, now: number): boolean {
    const account = this.#account(job.camera, now);
    const cost = job.costMs ?? this.#cost(job.model) + (job.then === undefined ? 0 : this.#cost(job.then));
    account.demands.set(job.model, { urgency: job.urgency, intervalMs: Math.max(1, job.intervalMs), costMs: cost, at: now });
    if (this.#budget !== undefined) {
      const grant = this.#grants(now).get(job.camera) ?? 0;
      this.#noteLimit(job.camera, account, grant);
      account.tokens = Math.min(Math.max(cost, grant * BURST_SECONDS), account.tokens + (grant * Math.max(0, now - account.refilledAt)) / 1000);
      account.refilledAt = now;
      if (account.tokens < cost) return false;
      account.tokens -= cost;
    }
    account.admitted.push(now);
    return true;
  }

  /** A completed run of `model` took `runMs` of model time: the cost later jobs of that model are charged. */
  observe(model: ModelRole, runMs: number): void {
    const known = this.#costs.get(model);
    this.#costs.set(model, known === undefined ? runMs : known + COST_SMOOTHING * (runMs - known));
  }

  /** Every camera that asked for a job in the last few seconds. */
  shares(now: number): CameraShare[] {
    const grants = this.#grants(now);
    return [...this.#accounts].map(([camera, account]) => {
      const demands = [...account.demands.values()];
      const wantMs = demands.reduce((sum, d) => sum + demandMs(d), 0);
      const wantHz = demands.reduce((sum, d) => sum + 1000 / d.intervalMs, 0);
      const granted = wantMs > 0 ? Math.min(1, (grants.get(camera) ?? wantMs) / wantMs) : 1;
      const recent = account.admitted.filter((at) => now - at < RATE_WINDOW_MS);
      return {
        camera,
        urgency: URGENCIES.find((u) => demands.some((d) => d.urgency === u)) ?? 'low',
        wantHz: round(wantHz),
        grantHz: round(wantHz * granted),
        ranHz: round((recent.length * 1000) / RATE_WINDOW_MS),
        limited: this.#budget !== undefined && granted < 0.99,
      };
    });
  }

  /** Forgets a camera (stopped or removed by a reload). */
  forget(camera: string): void {
    this.#accounts.delete(camera);
  }

  #account(camera: string, now: number): Account {
    let account = this.#accounts.get(camera);
    if (account === undefined) {
      account = { demands: new Map(), tokens: Number.POSITIVE_INFINITY, refilledAt: now, admitted: [], limited: false };
      this.#accounts.set(camera, account);
    }
    while ((account.admitted[0] ?? now) <= now - RATE_WINDOW_MS) account.admitted.shift();
    return account;
  }

  /** Logs a camera falling below what its rules ask for, and recovering: the overload is never silent. */
  #noteLimit(camera: string, account: Account, grantMs: number): void {
    const demands = [...account.demands.values()];
    const wantMs = demands.reduce((sum, d) => sum + demandMs(d), 0);
    const limited = grantMs < wantMs * 0.99;
    if (limited === account.limited) return;
    account.limited = limited;
    const wantHz = round(demands.reduce((sum, d) => sum + 1000 / d.intervalMs, 0));
    const grantHz = round(wantMs > 0 ? (wantHz * grantMs) / wantMs : 0);
    const urgency = URGENCIES.find((u) => demands.some((d) => d.urgency === u));
    if (limited) this.#log.warn({ camera, wantHz, grantHz, urgency, reason: 'budget' }, 'runs below the model rate its rules need: the inference budget is shared out');
    else this.#log.info({ camera, wantHz }, 'gets the model rate its rules need again');
  }

  #cost(model: ModelRole): number {
    return this.#costs.get(model) ?? DEFAULT_COST_MS;
  }

  /**
   * Model ms per second granted to each camera: urgency by urgency, most urgent first, max-min fair within each. A
   * tier's pool is what the tiers above left, less the floors (TIER_FLOORS) held for the tiers below that ask.
   */
  #grants(now: number): Map<string, number> {
    const grants = new Map<string, number>();
    for (const [camera, account] of this.#accounts) {
      for (const [model, d] of account.demands) if (now - d.at > Math.max(DEMAND_TTL_MS, 2 * d.intervalMs)) account.demands.delete(model);
      grants.set(camera, 0);
    }
    const budget = this.#budget ?? Number.POSITIVE_INFINITY;
    const tiers = URGENCIES.map((urgency) => {
      const wants = [...this.#accounts].map(([camera, account]) => ({
        camera,
        want: [...account.demands.values()].filter((d) => d.urgency === urgency).reduce((sum, d) => sum + demandMs(d), 0),
      }));
      const total = wants.reduce((sum, w) => sum + w.want, 0);
      return { wants: wants.sort((a, b) => a.want - b.want), held: this.#budget === undefined ? 0 : Math.min(total, TIER_FLOORS[urgency] * this.#budget) };
    });
    let left = budget;
    tiers.forEach(({ wants }, t) => {
      let pool = left - tiers.slice(t + 1).reduce((sum, tier) => sum + tier.held, 0);
      wants.forEach(({ camera, want }, i) => {
        const share = Math.min(want, pool / (wants.length - i));
        pool -= share;
        left -= share;
        grants.set(camera, (grants.get(camera) ?? 0) + share);
      });
    });
    return grants;
  }
}

function demandMs(d: Demand): number {
  return (d.costMs * 1000) / d.intervalMs;
}

function round(hz: number): number {
  return Math.round(hz * 100) / 100;
}
