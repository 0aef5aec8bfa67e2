import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, readConfigText } from '../config/load.js';
import type { RuleConfig } from '../config/rules.js';
import type { CameraConfig } from '../config/cameras.js';
import type { DeepReadonly } from '../config/schema.js';
import { HuxiaoError, isHuxiaoError } from '../errors.js';
import { checkLabels } from '../vision/config-labels.js';
import { writeFileAtomic } from './atomic-file.js';
import { editedText, type ZoneEdit } from './zone-edit.js';

/** What the gateway's reload reports: the sections applied at once and those that need a restart. */
export interface ReloadOutcome {
  readonly applied: readonly string[];
  readonly restartRequired: readonly string[];
}

export interface ConfigFileAccess {
  /** The YAML file the gateway was started with. */
  readonly path: string;
  /** Applies the file as it is now on disk without a restart (the controller's reload). */
  apply(): Promise<ReloadOutcome>;
}

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** One camera as the editor shows it, read from the file (not from the running config, which may lag behind it). */
export interface EditorView {
  /** sha256 of the file text: a save names the version it edited, so a change made meanwhile is not overwritten. */
  readonly version: string;
  readonly camera: DeepReadonly<CameraConfig>;
  readonly rules: readonly RuleConfig[];
}

export type SaveOutcome =
  | { readonly ok: true; readonly reload: ReloadOutcome }
  | { readonly ok: false; readonly status: 400 | 404 | 409; readonly problems: readonly ConfigProblem[] };

const versionOf = (text: string): string => createHash('sha256').update(text).digest('hex');

function problemsOf(error: unknown): ConfigProblem[] | undefined {
  if (error instanceof ConfigError) return error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
  return undefined;
}

/**
 * Reads and changes the config file for the page's zone editor. A save is edited on the YAML document (comments and
 * layout kept), validated exactly as `huxiao check` validates (schema, references, labels against the detector),
 * written atomically with the file's mode, and applied through the gateway's reload. A change that does not validate
 * leaves the file untouched and comes back as `path: problem` lines. Saves run one at a time.
 */
export class ConfigEditor {
  readonly #file: ConfigFileAccess;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: ConfigFileAccess) {
    this.#file = file;
  }

  get path(): string {
    return this.#file.path;
  }

  async view(camera: string): Promise<EditorView | undefined> {
    const text = await this.#read();
    const { config } = readConfigText(text, this.#file.path, { secrets: 'defer' });
    const found = config.cameras.find((c) => c.id === camera);
    if (found === undefined) return undefined;
    return { version: versionOf(text), camera: found, rules: config.rules.filter((rule) => rule.camera === camera) };
  }

  save(camera: string, edit: ZoneEdit): Promise<SaveOutcome> {
    const run = this.#queue.then(() => this.#save(camera, edit));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #save(camera: string, edit: ZoneEdit): Promise<SaveOutcome> {
    const text = await this.#read();
    if (versionOf(text) !== edit.version) {
      return { ok: false, status: 409, problems: [{ path: '(file)', message: `${this.#file.path} changed since the editor loaded it; reload the page and draw again` }] };
    }
    let current: DeepReadonly<CameraConfig> | undefined;
    try {
      current = readConfigText(text, this.#file.path, { secrets: 'defer' }).config.cameras.find((c) => c.id === camera);
    } catch (error) {
      const problems = problemsOf(error);
      if (problems === undefined) throw error;
      return { ok: false, status: 400, problems: [{ path: '(file)', message: `the file on disk does not validate; fix it by hand first (huxiao check)` }, ...problems] };
    }
    if (current === undefined) return { ok: false, status: 404, problems: [{ path: 'cameras', message: `no camera "${camera}" in the file` }] };
    const next = editedText(text, { camera, detect: current.detect }, edit);
    if (next === undefined) return { ok: true, reload: { applied: [], restartRequired: [] } };
    try {
      // The same checks as `huxiao check` on the gateway, secrets included: a file that would not start is not written.
      await checkLabels(readConfigText(next, this.#file.path));
    } catch (error) {
      const problems = problemsOf(error);
      if (problems === undefined) throw error;
      return { ok: false, status: 400, problems };
    }
    try {
      await writeFileAtomic(this.#file.path, next);
    } catch (error) {
      throw new HuxiaoError('WEB_CONFIG_WRITE', `cannot write ${this.#file.path}: ${error instanceof Error ? error.message : String(error)} (the service needs write access to the file and its directory)`, { cause: error });
    }
    try {
      return { ok: true, reload: await this.#file.apply() };
    } catch (error) {
      if (isHuxiaoError(error)) throw new HuxiaoError('WEB_CONFIG_WRITE', `${this.#file.path} was written but not applied: ${error.message}`, { cause: error });
      throw error;
    }
  }

  async #read(): Promise<string> {
    try {
      return await readFile(this.#file.path, 'utf8');
    } catch (error) {
      throw new HuxiaoError('CONFIG_NOT_FOUND', `cannot read ${this.#file.path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
