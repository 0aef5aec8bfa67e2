import { moduleLogger } from '../log.js';
import { describeExit, startTool, succeeded } from '../process/tool.js';

export interface SystemdNotifierOptions {
  /** Where NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are read; the tool runs with it. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The service's main process: this one. */
  readonly pid?: number;
  /** The systemd-notify binary (Debian's systemd package). */
  readonly command?: string;
}

/** systemd-notify waits up to 5 s for the manager to take the message; beyond twice that it is hung. */
const TOOL_TIMEOUT_MS = 10_000;
const log = moduleLogger('systemd');

/**
 * The sd_notify protocol through Debian's `systemd-notify` tool, because Node cannot send AF_UNIX datagrams and a
 * native module would be a build to maintain on every gateway. The tool is a child of this process, so the unit needs
 * NotifyAccess=all; it waits until the manager has processed each message (its default since systemd 246), while it
 * is still alive to be attributed to the unit, which is what makes that reliable. Messages go out one at a time, in
 * order; without NOTIFY_SOCKET (not run by systemd) nothing is sent.
 */
export class SystemdNotifier {
  readonly #env: NodeJS.ProcessEnv;
  readonly #pid: number;
  readonly #command: string;
  #tail: Promise<void> = Promise.resolve();
  #missing = false;
  /** A failure is logged once, not every watchdog period, until a message goes through again. */
  #failing = false;

  constructor(options: SystemdNotifierOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#pid = options.pid ?? process.pid;
    this.#command = options.command ?? 'systemd-notify';
  }

  get enabled(): boolean {
    return (this.#env.NOTIFY_SOCKET ?? '') !== '';
  }

  /**
   * The watchdog interval systemd set for this process (WatchdogSec=), in ms; undefined when there is none, or when
   * WATCHDOG_PID names another process (the variables were inherited, the watchdog is not ours).
   */
  get watchdogMs(): number | undefined {
    if (!this.enabled) return undefined;
    const usec = Number(this.#env.WATCHDOG_USEC ?? '');
    const pid = this.#env.WATCHDOG_PID;
    if (!Number.isFinite(usec) || usec <= 0) return undefined;
    if (pid !== undefined && pid !== '' && Number(pid) !== this.#pid) return undefined;
    return usec / 1000;
  }

  /** READY=1 with this process as the main PID. */
  ready(status: string): Promise<void> {
    return this.send({ READY: '1', STATUS: status }, [`--pid=${String(this.#pid)}`]);
  }

  watchdog(): Promise<void> {
    return this.send({ WATCHDOG: '1' });
  }

  status(status: string): Promise<void> {
    return this.send({ STATUS: status });
  }

  stopping(status: string): Promise<void> {
    return this.send({ STOPPING: '1', STATUS: status });
  }

  /** Queues one message; resolves once the tool has exited. Failures are logged, never thrown: systemd's timeouts act on them. */
  send(fields: Readonly<Record<string, string>>, options: readonly string[] = []): Promise<void> {
    if (!this.enabled || this.#missing) return Promise.resolve();
    // One variable per line in the datagram: a newline inside a value would start a new variable.
    const args = [...options, ...Object.entries(fields).map(([key, value]) => `${key}=${value.replaceAll(/\s+/g, ' ')}`)];
    const sent = this.#tail.then(() => this.#run(args));
    this.#tail = sent;
    return sent;
  }

  /** Resolves when every queued message has been handed over. */
  idle(): Promise<void> {
    return this.#tail;
  }

  async #run(args: readonly string[]): Promise<void> {
    if (this.#missing) return;
    const tool = startTool({ command: this.#command, args, env: this.#env, errorCode: 'SYSTEMD_NOTIFY', aptPackage: 'systemd', purpose: 'readiness and watchdog messages to systemd', timeoutMs: TOOL_TIMEOUT_MS });
    const exit = await tool.exited;
    if (exit.kind === 'spawn-error') {
      this.#missing = true;
      log.error({ err: exit.error }, 'systemd gets no readiness or watchdog messages');
    } else if (succeeded(exit)) {
      if (this.#failing) log.warn('systemd-notify works again');
      this.#failing = false;
    } else if (!this.#failing) {
      this.#failing = true;
      log.error({ exit: describeExit(exit), stderr: exit.stderr.join(' | '), message: args.join(' ') }, 'systemd-notify failed; further failures are not logged until it works again');
    }
  }
}
