import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ConfigEditor } from './config-editor.js';
import { sessionGuard } from './guard.js';
import { LiveStreams } from './live-streams.js';
import type { PageContext } from './page-context.js';
import { alertRoutes } from './routes/alerts.js';
import { assetRoutes } from './routes/assets.js';
import { cameraRoutes } from './routes/cameras.js';
import { galleryRoutes } from './routes/gallery.js';
import { healthPageRoutes } from './routes/health-page.js';
import { liveRoutes } from './routes/live.js';
import { loginRoutes, logoutRoute } from './routes/login.js';
import { speakerRoutes } from './routes/speaker.js';
import { zoneRoutes } from './routes/zones.js';
import { Sessions } from './sessions.js';

/**
 * What every answer of the page carries: scripts only from this page (JSMpeg's WebAssembly decoder needs
 * wasm-unsafe-eval), no framing, no referrer, no sniffing. The JSON in the editor is an inert application/json block.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * The local page for installers and the guard room, as one fastify plugin beside /metrics and /healthz: the login
 * page and the assets are open, every other route goes through the session guard (login, and a CSRF token on every
 * change). Sessions and the live-view encoders live as long as the server; closing it stops them.
 */
export function pageRoutes(context: PageContext): FastifyPluginAsync {
  return async (app) => {
    const sessions = new Sessions({ ttlMs: context.web.sessionMinutes * 60_000, ...(context.clock === undefined ? {} : { clock: context.clock }) });
    const live = new LiveStreams({ camera: (id) => context.runtime.cameras().find((worker) => worker.id === id)?.camera });
    const editor = context.configFile === undefined ? undefined : new ConfigEditor(context.configFile);

    await app.register(cookie);
    await app.register(rateLimit, { global: false });
    await app.register(websocket, { options: { maxPayload: 4096 } });
    app.addHook('onSend', async (_request, reply: FastifyReply, payload) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
      return payload;
    });
    app.addHook('onClose', async () => {
      await live.stop();
    });

    await app.register(async (open) => {
      assetRoutes(open);
      await open.register(loginRoutes(context, sessions));
    });
    await app.register(async (guarded) => {
      guarded.addHook('onRequest', sessionGuard(sessions));
      logoutRoute(guarded, sessions);
      cameraRoutes(guarded, context, live);
      liveRoutes(guarded, context, live);
      zoneRoutes(guarded, context, editor);
      alertRoutes(guarded, context);
      speakerRoutes(guarded, context);
      galleryRoutes(guarded, context);
      healthPageRoutes(guarded, context);
      return Promise.resolve();
    });
  };
}
