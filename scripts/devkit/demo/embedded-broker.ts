import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { moduleLogger } from '../../../edge/log.js';

const log = moduleLogger('embedded-broker');

/**
 * An MQTT broker inside the demo process (aedes), so `huxiao demo` shows the whole path to "the centre" on a machine
 * with no broker. aedes speaks MQTT 3.1.1 only: the uplink talks to it with protocol version 4, which the uplink
 * supports for exactly this kind of broker (see docs/mqtt.md). Bound to loopback: nothing outside the box can reach it.
 */
export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: { readonly port: number; readonly host?: string }) {}

  get url(): string {
    return `mqtt://${this.options.host ?? '127.0.0.1'}:${String(this.options.port)}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.broker = broker;
    this.server = server;
    log.info({ url: this.url }, 'embedded MQTT broker listening');
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = undefined;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    if (broker !== undefined) await new Promise<void>((resolve) => { broker.close(() => { resolve(); }); });
  }
}
