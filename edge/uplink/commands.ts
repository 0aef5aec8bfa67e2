import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import type { MqttConfig } from '../config/mqtt.js';
import { HuxiaoError, isHuxiaoError, type ErrorCode } from '../errors.js';
import { moduleLogger } from '../log.js';
import type { Store } from '../store/store.js';
import { commandRequestSchema, PAYLOAD_SCHEMA_VERSION, type CommandReply } from './payloads.js';
import { NonceCache, signedText, verifySignature } from './signing.js';

/** What a handler may know of the command beside its args. */
export interface CommandContext {
  /** The MQTT 5 correlation data, hex (at most 64 bytes), or null: audit rows of what the command changed carry it. */
  readonly correlation: string | null;
}

/** A command the centre can send on `cmd/<name>`: its argument schema and what it does. The result goes into the reply. */
export interface CommandHandler<Args = unknown> {
  readonly args: z.ZodType<Args>;
  run(args: Args, context: CommandContext): unknown;
}

export interface CommandRouterContext {
  readonly store: Store;
  readonly gatewayId: string;
  readonly config: MqttConfig['commands'];
  /** Centre public key; commands with a signature are verified with it, and required to have one when signing.required. */
  readonly publicKey?: KeyObject;
  readonly clock?: () => number;
}

const log = moduleLogger('commands');

function fail(code: ErrorCode, message: string): never {
  throw new HuxiaoError(code, message);
}

/**
 * Checks and runs commands. Every command, accepted or not, gets a reply and an audit row; nothing a sender puts in a
 * payload can throw out of handle().
 */
export class CommandRouter {
  readonly context: CommandRouterContext;
  readonly #handlers = new Map<string, CommandHandler>();
  readonly #nonces: NonceCache;

  constructor(context: CommandRouterContext) {
    this.context = context;
    this.#nonces = new NonceCache(context.config.maxAgeSeconds * 1000);
  }

  /** Adds a command; the controller registers speaker.test, enroll, unenroll... A name is registered once. */
  register<Args>(name: string, handler: CommandHandler<Args>): void {
    if (!/^[a-z][a-z0-9.-]{0,63}$/.test(name)) throw new Error(`command name "${name}" must be lower-case letters, digits, "." or "-"`);
    if (this.#handlers.has(name)) throw new Error(`command "${name}" is already registered`);
    this.#handlers.set(name, handler);
  }

  get names(): string[] {
    return [...this.#handlers.keys()].sort();
  }

  async handle(name: string, payload: Buffer, correlation: Buffer | undefined): Promise<CommandReply> {
    const now = this.#clock();
    const correlationHex = correlation === undefined ? null : correlation.toString('hex').slice(0, 128);
    const nonce = nonceOf(payload);
    try {
      const result = await this.#run(name, payload, now, correlationHex);
      this.#audit({ at: now, command: name, correlation: correlationHex, outcome: 'ok', code: null, detail: null });
      return { schema: PAYLOAD_SCHEMA_VERSION, command: name, nonce, ok: true, result: result ?? null, at: this.#clock() };
    } catch (error) {
      const code: ErrorCode = isHuxiaoError(error) ? error.code : 'CMD_FAILED';
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ command: name, code, err: error }, 'command refused or failed');
      this.#audit({ at: now, command: name, correlation: correlationHex, outcome: 'error', code, detail: message.slice(0, 500) });
      return { schema: PAYLOAD_SCHEMA_VERSION, command: name, nonce, ok: false, error: { code, message }, at: this.#clock() };
    }
  }

  async #run(name: string, payload: Buffer, now: number, correlation: string | null): Promise<unknown> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      fail('CMD_MALFORMED', `cmd/${name}: payload is not JSON`);
    }
    const parsed = commandRequestSchema.safeParse(json);
    if (!parsed.success) fail('CMD_MALFORMED', `cmd/${name}: ${describeIssues(parsed.error)}`);
    const request = parsed.data;
    const maxAgeMs = this.context.config.maxAgeSeconds * 1000;
    if (Math.abs(now - request.ts) > maxAgeMs) fail('CMD_STALE', `cmd/${name}: ts ${String(request.ts)} is ${String(Math.round((now - request.ts) / 1000))} s from the gateway clock (limit ${String(this.context.config.maxAgeSeconds)} s)`);
    this.#authorize(name, request);
    const handler = this.#handlers.get(name) ?? fail('CMD_UNKNOWN', `cmd/${name}: unknown command; known: ${this.names.join(', ')}`);
    const args = handler.args.safeParse(request.args);
    if (!args.success) fail('CMD_MALFORMED', `cmd/${name}: args ${describeIssues(args.error)}`);
    try {
      return await handler.run(args.data, { correlation });
    } catch (error) {
      if (isHuxiaoError(error)) throw error;
      throw new HuxiaoError('CMD_FAILED', `cmd/${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  #authorize(name: string, request: z.output<typeof commandRequestSchema>): void {
    const { publicKey, config, gatewayId } = this.context;
    const required = config.signing.required;
    if (request.sig === undefined) {
      if (required) fail('CMD_UNAUTHORIZED', `cmd/${name}: unsigned, and this gateway requires signed commands`);
      return;
    }
    if (publicKey === undefined) {
      if (required) fail('CMD_UNAUTHORIZED', `cmd/${name}: no public key configured to verify the signature`);
      return;
    }
    const text = signedText({ command: name, gateway: gatewayId, ts: request.ts, nonce: request.nonce, args: request.args });
    if (!verifySignature(publicKey, text, request.sig)) fail('CMD_UNAUTHORIZED', `cmd/${name}: signature does not verify`);
    if (!this.#nonces.use(request.nonce, this.#clock())) fail('CMD_UNAUTHORIZED', `cmd/${name}: nonce already used (replay)`);
  }

  #audit(entry: Parameters<Store['audit']['record']>[0]): void {
    try {
      this.context.store.durable(() => {
        this.context.store.audit.record(entry);
      });
    } catch (error) {
      log.error({ err: error, command: entry.command }, 'audit row not written');
    }
  }

  get #clock(): () => number {
    return this.context.clock ?? Date.now;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.')}: ${issue.message}`)
    .join('; ');
}

/** The request's nonce, if the payload is readable enough to have one, so even an error reply can be matched. */
function nonceOf(payload: Buffer): string | null {
  try {
    const nonce = (JSON.parse(payload.toString('utf8')) as { nonce?: unknown } | null)?.nonce;
    return typeof nonce === 'string' && nonce.length <= 128 ? nonce : null;
  } catch {
    return null;
  }
}
