import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, loopbackPortOpen } from '../../devkit/free-port.js';

/**
 * Debian's mosquitto on a free loopback port, anonymous and without persistence: the "local mosquitto" the gateway
 * publishes alerts and telemetry to while it is measured (the tests' broker, test/helpers/mosquitto.ts, adds TLS and
 * passwords the bench does not need).
 */
export class LocalMosquitto {
  readonly #dir: string;
  #child: ChildProcess | undefined;
  #port = 0;
  #output = '';

  /** `dir`: where its config file goes. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${String(this.#port)}`;
  }

  async start(): Promise<void> {
    this.#port = await freeLoopbackPort();
    const config = join(this.#dir, 'mosquitto.conf');
    writeFileSync(config, [`listener ${String(this.#port)} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', ''].join('\n'));
    const child = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      this.#output = (this.#output + text).slice(-4000);
    });
    const deadline = Date.now() + 10_000;
    while (!(await loopbackPortOpen(this.#port))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${String(child.exitCode)}: ${this.#output}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not open port ${String(this.#port)}: ${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

