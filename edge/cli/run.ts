import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH, readConfigFile } from '../config/load.js';
import { Controller } from '../controller.js';
import { moduleLogger } from '../log.js';
import { checkLabels } from '../vision/config-labels.js';

const log = moduleLogger('run');

export interface SignalWait {
  /** Resolves on the first SIGINT or SIGTERM (systemd stops with SIGTERM); a second one gets the default handler. */
  readonly signal: Promise<NodeJS.Signals>;
  /** Stops waiting: removes the handlers and the keep-alive timer. */
  dispose(): void;
}

/**
 * Waits for a stop signal. A gateway with nothing to do yet (no camera enabled, no broker) has no live handle, so a
 * timer keeps the process running until the signal comes or the caller disposes of the wait.
 */
export function untilSignal(): SignalWait {
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = (): void => {
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (received) => {
      dispose();
      resolve(received);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { signal, dispose };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run the gateway: cameras, models, rules, alerts, voice, uplink, until SIGINT or SIGTERM')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .action(async (options: { config: string }) => {
      const loaded = readConfigFile(options.config);
      // Before anything starts: a label the detector cannot report is a config error (exit 2), not a degraded gateway.
      await checkLabels(loaded);
      const { config } = loaded;
      const controller = new Controller({ config, configPath: options.config });
      await controller.start();
      const signal = await untilSignal().signal;
      log.info({ signal }, 'stopping');
      const report = await controller.stop();
      if (report.failed.length > 0) process.exitCode = 1;
    });
}
