import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface NotifyMessage {
  /** Milliseconds since the epoch when the datagram arrived. */
  readonly at: number;
  readonly fields: Readonly<Record<string, string>>;
  /** PID in the datagram's SCM_CREDENTIALS, the sender as the kernel saw it. */
  readonly pid: number;
}

/**
 * The service manager's end of the sd_notify protocol: an AF_UNIX datagram socket bound in a directory, as systemd
 * binds /run/systemd/notify. It honours the barrier systemd-notify waits on (closes the file descriptor that comes with
 * BARRIER=1) and prints each other datagram as a JSON line, which this class collects.
 */
const LISTENER = String.raw`
import array, json, os, socket, sys, time
path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
sock.bind(path)
print(json.dumps({"bound": path}), flush=True)
while True:
    data, ancdata, _flags, _addr = sock.recvmsg(65536, socket.CMSG_SPACE(64 * 4) + socket.CMSG_SPACE(12))
    pid = 0
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
        elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = int.from_bytes(payload[0:4], sys.byteorder)
    fields = dict(line.split("=", 1) for line in data.decode().split("\n") if "=" in line)
    if fields == {"BARRIER": "1"}:
        continue
    print(json.dumps({"at": time.time() * 1000, "fields": fields, "pid": pid}), flush=True)
`;

export class NotifySocket {
  readonly path: string;
  readonly messages: NotifyMessage[] = [];
  #child: ChildProcess | undefined;

  constructor(dir: string) {
    this.path = join(dir, 'notify.sock');
  }

  async start(): Promise<void> {
    const child = spawn('python3', ['-c', LISTENER, this.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#child = child;
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => { reject(new Error(`the notify listener exited with ${String(code)}`)); });
      lines.on('line', (line) => {
        const parsed = JSON.parse(line) as NotifyMessage | { bound: string };
        if ('bound' in parsed) resolve();
        else this.messages.push(parsed);
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Messages that carry the field (with the value, when given). */
  with(field: string, value?: string): NotifyMessage[] {
    return this.messages.filter((message) => field in message.fields && (value === undefined || message.fields[field] === value));
  }
}
