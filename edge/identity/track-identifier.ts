import { IDENTITY_LABEL } from '../config/rules.js';
import { isHuxiaoError } from '../errors.js';
import type { RgbImage } from '../ingest/frame.js';
import { moduleLogger, type Logger } from '../log.js';
import type { Identity } from '../rules/hit.js';
import type { Track } from '../track/tracker.js';
import type { Box } from '../geometry/geometry.js';
import { ATTEMPT_INTERVAL_MS, cropHead, faceSized, type FaceMiss, type FaceWork, type HeadCrop } from './head-face.js';
import type { IdentityMatcher } from './matcher.js';
import { decideIdentity, TrackFaces } from './track-identity.js';

/**
 * An identified track is looked at again this often, after every unidentified track that is due. The tracker can
 * hand a track over to another person where people overlap and the detector merges or misses their boxes: on a pan
 * over the bbt3 group photo a track went from howard's box to penny's and its hit carried "howard". A view whose
 * nearest gallery person is not the track's identity drops that identity, so a name is never kept on a new face.
 */
export const VERIFY_INTERVAL_MS = 1000;

/**
 * A matched box this far from the track's previous one (centre moved by more than half its width, or width changed by
 * more than half) may be someone else: on the bbt3 pan a lost track was recovered 170 px away on another person's box.
 * The identity is then withheld until a fresh view is nearest the same person (next attempt, not VERIFY_INTERVAL_MS).
 */
const JUMP = { shift: 0.5, resize: 1.5 } as const;

function jumped(from: Box, to: Box): boolean {
  const w = from.x2 - from.x1;
  const shift = Math.hypot((to.x1 + to.x2 - from.x1 - from.x2) / 2, (to.y1 + to.y2 - from.y1 - from.y2) / 2);
  const resize = (to.x2 - to.x1) / w;
  return shift > JUMP.shift * w || resize > JUMP.resize || resize < 1 / JUMP.resize;
}

/**
 * Face jobs in flight over all cameras. Each camera runs at most one; this bounds the sum, so the face models never
 * hold more CPU than the cap allows however many cameras identify, and the detector keeps its share.
 */
export class FaceBudget {
  readonly limit: number;
  #inFlight = 0;

  constructor(limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`a face budget needs a whole limit of at least 1, got ${limit}`);
    this.limit = limit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  tryTake(): boolean {
    if (this.#inFlight >= this.limit) return false;
    this.#inFlight += 1;
    return true;
  }

  give(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }
}

export interface TrackIdentifierOptions {
  readonly camera: string;
  /** The face models' work on one head crop (head-face.ts faceWork, or a scheduler's version of it). */
  readonly faceWork: FaceWork;
  readonly matcher: IdentityMatcher;
  readonly budget: FaceBudget;
}

export interface IdentifierStats {
  /** Head regions searched for a face. */
  readonly attempts: number;
  /** Attempts that gave a usable face view. */
  readonly views: number;
  /** Attempts without a usable face, by reason. */
  readonly misses: Readonly<Record<FaceMiss, number>>;
  /** Attempts that failed in the models (a dropped or failed inference). */
  readonly failed: number;
  /** Frames where a track was due but the global face budget was spent, or the inference scheduler refused the run. */
  readonly deferred: number;
  readonly identified: number;
  /** Identities withheld because the track's box jumped (a possible hand-over to another person). */
  readonly suspended: number;
  /** Identities dropped because a later view of the track was nearest to someone else. */
  readonly revoked: number;
  /** Tracks with face state right now, and the face views they hold (biometric data in memory). */
  readonly tracks: number;
  readonly heldViews: number;
}

interface TrackState {
  lastAttempt: number;
  readonly faces: TrackFaces;
  identity: Identity | undefined;
  /** An identity withheld since the box jumped, until a view confirms or refutes it. */
  suspect: Identity | undefined;
  /** The box of the last frame the track was matched in. */
  lastBox: Box;
}

/** lastAttempt of a track never tried: before any frame time. */
const NEVER = -Number.MAX_SAFE_INTEGER;

const MISSES: readonly FaceMiss[] = ['no-face', 'several-faces', 'too-small', 'too-blurred', 'not-frontal'];

/**
 * Face identification of one camera's person tracks. `observe` is called once per frame, synchronously, and never
 * waits for face work: it forgets tracks that ended (with their face views), and when this camera has no face job
 * in flight and the global budget allows, copies the head region of the most deserving track and starts one job
 * (find the face, check it, embed it). A job's view joins its track's best views when it completes; once they agree
 * on a person the track keeps that identity while it lives and its views are dropped, unless a later check finds
 * another face on it (VERIFY_INTERVAL_MS). Results are seen by the rules on the next frame. Unknown faces live only in
 * their track's views: nothing is written anywhere.
 */
export class TrackIdentifier {
  readonly #options: TrackIdentifierOptions;
  readonly #log: Logger;
  readonly #tracks = new Map<number, TrackState>();
  #job: Promise<void> | undefined;
  #stopped = false;
  #attempts = 0;
  #views = 0;
  readonly #misses = new Map<FaceMiss, number>();
  #failed = 0;
  #deferred = 0;
  #identified = 0;
  #revoked = 0;
  #suspended = 0;

  constructor(options: TrackIdentifierOptions) {
    this.#options = options;
    this.#log = moduleLogger('identity', { camera: options.camera });
  }

  identityOf(trackId: number): Identity | undefined {
    return this.#tracks.get(trackId)?.identity;
  }

  /**
   * One frame: `tracks` is the tracker's whole list (a track missing from it has ended), `first` the tracks a rule
   * looks at right now, served before the others.
   */
  observe(frame: RgbImage, ts: number, tracks: readonly Track[], first: ReadonlySet<number>): void {
    if (this.#stopped) return;
    const alive = new Set(tracks.map((track) => track.id));
    for (const id of this.#tracks.keys()) if (!alive.has(id)) this.#tracks.delete(id);
    for (const track of tracks) if (track.matched) this.#follow(track);
    if (this.#job !== undefined) return;
    const next = this.#pick(tracks, ts, first);
    if (next === undefined) return;
    if (!this.#options.budget.tryTake()) {
      this.#deferred += 1;
      return;
    }
    const crop = cropHead(frame, next.box);
    if (crop === undefined) {
      this.#options.budget.give();
      return;
    }
    let state = this.#tracks.get(next.id);
    if (state === undefined) {
      state = { lastAttempt: ts, faces: new TrackFaces(), identity: undefined, suspect: undefined, lastBox: next.box };
      this.#tracks.set(next.id, state);
    }
    state.lastAttempt = ts;
    this.#attempts += 1;
    this.#job = this.#attempt(next.id, crop, ts).finally(() => {
      this.#options.budget.give();
      this.#job = undefined;
    });
  }

  /** Resolves when the job in flight (if any) has completed and its result is applied. */
  async settle(): Promise<void> {
    await this.#job;
  }

  /** Forgets every track and its views; a job still in flight finishes and its result is dropped. */
  stop(): void {
    this.#stopped = true;
    this.#tracks.clear();
  }

  stats(): IdentifierStats {
    const states = [...this.#tracks.values()];
    return {
      attempts: this.#attempts,
      views: this.#views,
      misses: Object.fromEntries(MISSES.map((miss) => [miss, this.#misses.get(miss) ?? 0])) as Record<FaceMiss, number>,
      failed: this.#failed,
      deferred: this.#deferred,
      identified: this.#identified,
      suspended: this.#suspended,
      revoked: this.#revoked,
      tracks: states.length,
      heldViews: states.reduce((sum, state) => sum + state.faces.views.length, 0),
    };
  }

  /** A matched track's box: an identified track whose box jumped is suspended until a fresh view speaks for it. */
  #follow(track: Track): void {
    const state = this.#tracks.get(track.id);
    if (state === undefined) return;
    if (state.identity !== undefined && jumped(state.lastBox, track.box)) {
      state.suspect = state.identity;
      state.identity = undefined;
      this.#suspended += 1;
    }
    state.lastBox = track.box;
  }

  /**
   * The person track to look at next: matched in this frame (its box is where the person is, not a prediction), big
   * enough for a usable face, due (ATTEMPT_INTERVAL_MS, or VERIFY_INTERVAL_MS once identified). Tracks a rule looks
   * at come first, unidentified before identified, then the one tried longest ago, then the oldest track (so a replay
   * picks the same).
   */
  #pick(tracks: readonly Track[], ts: number, first: ReadonlySet<number>): Track | undefined {
    const due = tracks.flatMap((track) => {
      if (track.label !== IDENTITY_LABEL || track.state !== 'confirmed' || !track.matched || !faceSized(track.box)) return [];
      const state = this.#tracks.get(track.id);
      const known = state?.identity === undefined ? 0 : 1;
      const last = state?.lastAttempt ?? NEVER;
      if (ts - last < (known === 1 ? VERIFY_INTERVAL_MS : ATTEMPT_INTERVAL_MS)) return [];
      return [{ track, last, known, first: first.has(track.id) ? 0 : 1 }];
    });
    due.sort((a, b) => a.first - b.first || a.known - b.known || a.last - b.last || a.track.id - b.track.id);
    return due[0]?.track;
  }

  async #attempt(trackId: number, crop: HeadCrop, at: number): Promise<void> {
    const { faceWork, matcher, camera } = this.#options;
    try {
      const result = await faceWork(crop, at, camera);
      if (result === 'deferred') {
        this.#deferred += 1;
        return;
      }
      if (typeof result === 'string') {
        this.#misses.set(result, (this.#misses.get(result) ?? 0) + 1);
        return;
      }
      this.#views += 1;
      // The track may have ended while the job ran: then its face is dropped here, with the job.
      const state = this.#tracks.get(trackId);
      if (state === undefined || this.#stopped) return;
      const held = state.identity ?? state.suspect;
      if (held !== undefined) {
        state.suspect = undefined;
        if (matcher.match(result.embedding)?.personId === held.personId) {
          state.identity = held;
          return;
        }
        state.identity = undefined;
        this.#revoked += 1;
        this.#log.debug({ trackId }, 'another face on an identified track: identity dropped');
      }
      state.faces.add(result);
      const identity = decideIdentity(state.faces.views, matcher);
      if (identity === undefined) return;
      state.identity = identity;
      state.faces.clear();
      this.#identified += 1;
      this.#log.debug({ trackId, list: identity.list, score: identity.score }, 'track identified');
    } catch (error) {
      this.#failed += 1;
      // A full face queue drops the older job (latest frame wins): expected under load, counted, not logged.
      if (!(isHuxiaoError(error) && error.code === 'INFERENCE_DROPPED')) this.#log.error({ err: error, trackId }, 'face identification failed on a frame');
    }
  }
}
