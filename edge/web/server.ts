import type { Server as HttpServer } from 'node:http';
import { createServer, isIPv6, type AddressInfo, type Server } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import type { WebConfig } from '../config/web.js';
import { HuxiaoError } from '../errors.js';
import { moduleLogger } from '../log.js';
import { bindAddresses, type Interfaces } from './bind-address.js';

export interface WebServerContext {
  readonly config: Pick<WebConfig, 'host' | 'port'>;
  /** Route modules (the page's, and edge/ops/*-routes.ts), registered in order as fastify plugins. */
  readonly routes: readonly FastifyPluginAsync[];
  /** The box's interfaces, for `lan`; tests give their own. */
  readonly interfaces?: () => Interfaces;
}

const log = moduleLogger('web');
/** Typed as fastify's logger so the instance and the route plugins share one type. */
const fastifyLog: FastifyBaseLogger = log;

/** Prometheus scrapes every few seconds: a log line per request would drown the log. Failed requests are still logged. */
class QuietRequests extends LogController {
  override incomingRequest(): void {
    // Not logged: see the class comment.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error !== null && error !== undefined) super.requestCompleted(error, request, reply);
  }
}

/**
 * The HTTP server of the local page and the operations endpoints. One fastify instance; when it listens on several
 * addresses (`lan`: loopback and each LAN address), the further listeners hand their connections to the same HTTP
 * server, so routes, websocket upgrades and shutdown are shared.
 */
export class WebServer {
  readonly #context: WebServerContext;
  #app: FastifyInstance | undefined;
  readonly #extra: Server[] = [];
  #urls: string[] = [];

  constructor(context: WebServerContext) {
    this.#context = context;
  }

  /** Listens on every address of the configured host; throws WEB_LISTEN when the first cannot be bound. */
  async start(): Promise<void> {
    const { config, interfaces } = this.#context;
    const [first, ...rest] = bindAddresses(config.host, interfaces?.());
    if (first === undefined) throw new HuxiaoError('WEB_LISTEN', `web.host "${config.host}" gives no address to listen on`);
    const app = Fastify({ loggerInstance: fastifyLog, logController: new QuietRequests(), forceCloseConnections: true });
    for (const routes of this.#context.routes) await app.register(routes);
    try {
      await app.listen({ host: first, port: config.port });
    } catch (error) {
      await app.close();
      throw new HuxiaoError('WEB_LISTEN', `cannot listen on ${hostPort(first, config.port)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const port = (app.server.address() as AddressInfo).port;
    this.#app = app;
    this.#urls = [`http://${hostPort(first, port)}`];
    for (const address of rest) {
      try {
        this.#extra.push(await forwardTo(app.server, address, port));
        this.#urls.push(`http://${hostPort(address, port)}`);
      } catch (error) {
        log.warn({ err: error, address }, 'cannot listen on this address; the local page is not reachable there');
      }
    }
    log.info({ urls: this.#urls }, 'local page listening');
  }

  /** Stops listening and closes every connection (a browser's keep-alive never holds up the shutdown). */
  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    this.#urls = [];
    // The further listeners stop accepting first; their open connections belong to the HTTP server, which closes them.
    const closed = this.#extra.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => { resolve(); })));
    await app?.close();
    await Promise.all(closed);
  }

  /** Where the page is reachable, e.g. http://127.0.0.1:8080. */
  urls(): readonly string[] {
    return this.#urls;
  }
}

function hostPort(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${String(port)}` : `${address}:${String(port)}`;
}

/** A listener on one more address whose connections the main HTTP server handles (documented use of 'connection'). */
function forwardTo(http: HttpServer, address: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      http.emit('connection', socket);
    });
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
