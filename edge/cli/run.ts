import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH, readConfigFile } from '../config/load.js';
import { Controller } from '../controller.js';
import { moduleLogger } from '../log.js';
import { checkLabels } from '../vision/config-labels.js';

const log = moduleLogger('run');

export interface SignalWait {
  /** Resolves on the first SIGINT or SIGTERM (systemd stops with SIGTERM); a second one gets the default handler. */
  readonly signal: Promise<NodeJS.Signals>;
  /** Aborted at the same moment, so a start-up under way stops at its next phase or model. */
  readonly abort: AbortSignal;
  /** Stops waiting: removes the handlers and the keep-alive timer. */
  dispose(): void;
}

/** The reason of `SignalWait.abort`. */
export class StopSignal extends Error {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
    this.name = 'StopSignal';
    this.signal = signal;
  }
}

/**
 * Waits for a stop signal, and with `onReload` handles SIGHUP (until disposed; without it SIGHUP keeps its default).
 * A gateway with nothing to do yet (no camera enabled, no broker) has no live handle, so a timer keeps the process
 * running until the signal comes or the caller disposes of the wait.
 */
export function untilSignal(options: { onReload?: () => void } = {}): SignalWait {
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  const controller = new AbortController();
  const onReload = options.onReload;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const release = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (received) => {
      release();
      log.info({ signal: received }, 'stop signal received');
      controller.abort(new StopSignal(received));
      resolve(received);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  if (onReload !== undefined) process.on('SIGHUP', onReload);
  return {
    signal,
    abort: controller.signal,
    dispose: () => {
      clearInterval(keepAlive);
      release();
      if (onReload !== undefined) process.off('SIGHUP', onReload);
    },
  };
}

/**
 * `huxiao run`. The signal handlers come first, so SIGTERM during start-up (models loading, voices rendering) stops
 * the phases already started instead of killing the process. Exit codes (docs/operations.md): 0 after a stop by signal,
 * also during start-up; 1 when a shutdown phase failed or a fatal start-up phase failed (store, MQTT_TLS); 2 for a
 * config that does not validate (including a bad command signing key).
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run the gateway: cameras, models, rules, alerts, voice, uplink, until SIGINT or SIGTERM; SIGHUP reloads the config')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .action(async (options: { config: string }) => {
      let controller: Controller | undefined;
      const deferred = { reload: false };
      const reload = (): void => {
        if (controller === undefined || controller.state === 'starting') {
          deferred.reload = true;
          log.info('SIGHUP during start-up: the config is reloaded once the gateway runs');
          return;
        }
        // The controller logs why a reload was refused; there is no one else to tell.
        controller.reload().catch(() => undefined);
      };
      const wait = untilSignal({ onReload: reload });
      try {
        const loaded = readConfigFile(options.config);
        // Before anything starts: a label the detector cannot report is a config error (exit 2), not a degraded gateway.
        await checkLabels(loaded);
        const { config } = loaded;
        controller = new Controller({ config, configPath: options.config });
        const started = await controller.start(wait.abort);
        if (started.state === 'aborted') {
          if (started.stop.failed.length > 0) process.exitCode = 1;
          return;
        }
        if (deferred.reload) reload();
        await wait.signal;
        const report = await controller.stop();
        if (report.failed.length > 0) process.exitCode = 1;
      } finally {
        wait.dispose();
      }
    });
}
