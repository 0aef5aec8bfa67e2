import { moduleLogger } from '../log.js';
import { summarize, type Health, type HealthReport } from './health.js';
import type { SystemdNotifier } from './systemd-notify.js';

export interface SystemdServiceContext {
  readonly health: Health;
  readonly notifier: SystemdNotifier;
}

/** Without a systemd watchdog, how often health changes are logged and sent as STATUS=. */
const STATUS_INTERVAL_MS = 5000;
const log = moduleLogger('systemd');

/**
 * The gateway as a Type=notify service: READY=1 once it runs, STOPPING=1 when shutdown begins, and the watchdog fed
 * from the pipeline's health, not from a bare timer. Every quarter of WatchdogSec the health is evaluated and
 * WATCHDOG=1 sent only if nothing is wedged. A quarter rather than the usual half, so one bad evaluation (another
 * process holding the store's lock for a moment) costs no restart, while a wedge lasting three quarters of WatchdogSec
 * does. Changes of the one-line summary are logged and sent as STATUS= (shown by `systemctl status`).
 */
export class SystemdService {
  readonly #context: SystemdServiceContext;
  #timer: NodeJS.Timeout | undefined;
  /** Last STATUS= handed to systemd, and last summary logged. */
  #sent: string | undefined;
  #logged: string | undefined;
  #live = true;
  #sending: Promise<void> | undefined;

  constructor(context: SystemdServiceContext) {
    this.#context = context;
  }

  /** Sends READY=1 and starts feeding the watchdog. */
  async ready(): Promise<void> {
    const summary = summarize(this.#context.health.evaluate());
    this.#sent = summary;
    this.#logged = summary;
    const watchdogMs = this.#context.notifier.watchdogMs;
    const interval = watchdogMs === undefined ? STATUS_INTERVAL_MS : Math.max(50, watchdogMs / 4);
    this.#timer = setInterval(() => {
      this.#tick();
    }, interval);
    this.#timer.unref();
    await this.#context.notifier.ready(summary);
  }

  /** Stops feeding the watchdog and sends STOPPING=1; resolves once systemd has it. */
  async stopping(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#context.notifier.stopping('stopping: shutting down in phases');
  }

  #tick(): void {
    const report = this.#context.health.evaluate();
    const summary = summarize(report);
    this.#logChange(report, summary);
    // A message still with the tool (systemd busy) is not queued behind: the next tick carries the news.
    if (this.#sending !== undefined) return;
    const fields: Record<string, string> = {};
    if (summary !== this.#sent) fields.STATUS = summary;
    if (report.live && this.#context.notifier.watchdogMs !== undefined) fields.WATCHDOG = '1';
    this.#sent = summary;
    if (Object.keys(fields).length === 0) return;
    this.#sending = this.#context.notifier.send(fields).finally(() => {
      this.#sending = undefined;
    });
  }

  #logChange(report: HealthReport, summary: string): void {
    if (report.live !== this.#live) {
      if (report.live) log.warn({ summary }, 'health recovered: the watchdog is fed again');
      else log.error({ summary, checks: report.checks.filter((check) => check.verdict === 'wedged') }, 'pipeline wedged: the watchdog is no longer fed; systemd restarts the gateway if this lasts');
      this.#live = report.live;
    } else if (summary !== this.#logged) log.info({ summary }, 'health changed');
    this.#logged = summary;
  }
}
