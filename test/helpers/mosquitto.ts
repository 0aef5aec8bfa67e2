import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, loopbackPortOpen } from './ports.js';
import { tempDir } from './tmp.js';

export interface TestCertificates {
  /** PEM file paths. */
  readonly ca: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** Debian's mosquitto on free loopback ports: plain TCP and TLS with a required client certificate, both with a password. */
export interface TestBroker {
  readonly port: number;
  readonly tlsPort: number;
  readonly url: string;
  readonly tlsUrl: string;
  readonly username: string;
  readonly password: string;
  readonly certs: TestCertificates;
  /** SIGSTOP: the broker keeps its sockets but answers nothing (no PUBACK). */
  pause(): void;
  resume(): void;
  /** Stops the broker process, saving its sessions (clients see the connection drop). */
  stop(): Promise<void>;
  /** Starts it again on the same ports with the same config. */
  restart(): Promise<void>;
  /** Stops it and deletes its files. */
  dispose(): Promise<void>;
  /** What the broker logged (for a failing test's message). */
  log(): string;
}

function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
}

/** CA, a server certificate for 127.0.0.1 / localhost and a client certificate, generated with openssl (EC P-256: quick). */
function makeCertificates(dir: string): TestCertificates & { serverCert: string; serverKey: string } {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('openssl', ['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=huxiao-test-ca'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('openssl', ['req', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  run('openssl', ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir);
  run('openssl', ['req', ...key, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=huxiao-test-gateway'], dir);
  run('openssl', ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2'], dir);
  return {
    ca: join(dir, 'ca.crt'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}


export async function startMosquitto(): Promise<TestBroker> {
  const dir = await tempDir('mosquitto');
  const certs = makeCertificates(dir.path);
  const username = 'gateway';
  const password = 'test-password-1';
  run('mosquitto_passwd', ['-b', '-c', join(dir.path, 'passwd'), username, password], dir.path);
  run('mosquitto_passwd', ['-b', join(dir.path, 'passwd'), 'centre', password], dir.path);
  const port = await freePort();
  const tlsPort = await freePort();
  const configPath = join(dir.path, 'mosquitto.conf');
  writeFileSync(
    configPath,
    [
      // Running as root, mosquitto would switch to the mosquitto user and lose access to the private temp dir.
      'user root',
      'per_listener_settings true',
      // Sessions (subscriptions, queued QoS 1 messages) survive a restart, as on a production broker.
      'persistence true',
      `persistence_location ${dir.path}/`,
      'autosave_interval 1',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      `listener ${String(port)} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${join(dir.path, 'passwd')}`,
      `listener ${String(tlsPort)} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${join(dir.path, 'passwd')}`,
      `cafile ${certs.ca}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      'require_certificate true',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let output = '';

  async function launch(): Promise<void> {
    const started = spawn('mosquitto', ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr.setEncoding('utf8').on('data', (text: string) => {
      output = (output + text).slice(-20_000);
    });
    child = started;
    const deadline = Date.now() + 20_000;
    while (!(await loopbackPortOpen(port)) || !(await loopbackPortOpen(tlsPort))) {
      if (started.exitCode !== null) throw new Error(`mosquitto exited with ${String(started.exitCode)}: ${output}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not open its ports: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function halt(): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    // SIGTERM lets mosquitto save its sessions; SIGKILL only if it hangs.
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  return {
    port,
    tlsPort,
    url: `mqtt://127.0.0.1:${String(port)}`,
    tlsUrl: `mqtts://127.0.0.1:${String(tlsPort)}`,
    username,
    password,
    certs,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: halt,
    restart: async () => {
      await halt();
      await launch();
    },
    dispose: async () => {
      await halt();
      await dir.remove();
    },
    log: () => output,
  };
}
