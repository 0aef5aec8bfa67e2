import type { FastifyInstance } from 'fastify';
import { sessionOf } from '../guard.js';
import { html, page } from '../html.js';
import type { LiveStreams } from '../live-streams.js';
import type { PageContext } from '../page-context.js';
import { findCamera, notFound } from './cameras.js';

/**
 * GET /cameras/:id/live, the page with the JSMpeg player, and GET /cameras/:id/live.ws, the websocket it plays:
 * the camera's MPEG-TS stream, behind the same session check as every page (the guard runs before the upgrade).
 */
export function liveRoutes(app: FastifyInstance, context: PageContext, live: LiveStreams): void {
  app.get<{ Params: { id: string } }>('/cameras/:id/live', async (request, reply) => {
    const session = sessionOf(request);
    const worker = findCamera(context, request.params.id);
    if (worker === undefined) return notFound(reply, `camera "${request.params.id}"`);
    const { camera } = worker;
    const body = html`
<p><a href="/cameras">← Cameras</a> · <a href="/cameras/${camera.id}/zones">Zones and rules</a></p>
<div class="live"><canvas id="live" data-camera="${camera.id}" width="${Math.min(640, camera.detect.width)}" height="${Math.round((Math.min(640, camera.detect.width) * camera.detect.height) / camera.detect.width)}"></canvas></div>
<p id="live-state" class="note" aria-live="polite">Connecting…</p>`;
    return reply.type('text/html').send(page({
      title: `Live: ${camera.name ?? camera.id}`, section: 'cameras', gateway: context.gatewayId, csrf: session.csrf, user: session.user,
      vendorScripts: ['jsmpeg.js'], scripts: ['live.js'],
    }, body));
  });

  app.get<{ Params: { id: string } }>('/cameras/:id/live.ws', { websocket: true }, (socket, request) => {
    const leave = live.join(request.params.id, socket);
    if (leave === undefined) {
      socket.close(1008, 'unknown camera');
      return;
    }
    socket.on('close', leave);
    socket.on('error', leave);
  });
}
