import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CameraWorker } from '../../camera-worker.js';
import { encodeJpeg } from '../../ingest/snapshot.js';
import { drawZones } from '../../rules/draw-zones.js';
import { sessionOf } from '../guard.js';
import { ago, html, page } from '../html.js';
import type { LiveStreams } from '../live-streams.js';
import type { PageContext } from '../page-context.js';

/** What /api/cameras gives per camera; the page computes rates from two samples. */
export interface CameraRow {
  readonly id: string;
  readonly name: string | undefined;
  readonly state: string;
  readonly detail: string | undefined;
  readonly fps: number;
  readonly frames: number;
  readonly processed: number;
  readonly detectorRuns: number;
  readonly degraded: boolean;
  readonly lastFrameAt: number | undefined;
  readonly detect: { readonly width: number; readonly height: number; readonly fps: number };
  readonly zones: number;
  readonly lines: number;
  readonly viewers: number;
}

export function cameraRows(context: PageContext, live: LiveStreams): CameraRow[] {
  return context.runtime.cameras().map((worker) => {
    const status = worker.status();
    const { camera } = worker;
    return {
      id: worker.id,
      name: camera.name,
      state: status.state,
      detail: status.detail,
      fps: status.fps,
      frames: status.frames,
      processed: status.processed,
      detectorRuns: status.detectorRuns,
      degraded: status.degraded,
      lastFrameAt: status.lastFrameAt,
      detect: camera.detect,
      zones: camera.zones.length,
      lines: camera.lines.length,
      viewers: live.status(worker.id).viewers,
    };
  });
}

export function findCamera(context: PageContext, id: string): CameraWorker | undefined {
  return context.runtime.cameras().find((worker) => worker.id === id);
}

export async function notFound(reply: FastifyReply, what: string): Promise<FastifyReply> {
  return reply.code(404).type('text/plain').send(`${what} not found`);
}

/** GET /, /cameras (the list, refreshed every 2 s by cameras.js), /api/cameras and each camera's latest picture. */
export function cameraRoutes(app: FastifyInstance, context: PageContext, live: LiveStreams): void {
  app.get('/', async (_request, reply) => reply.redirect('/cameras', 303));

  app.get('/cameras', async (request, reply) => {
    const session = sessionOf(request);
    const now = context.clock?.() ?? Date.now();
    const rows = cameraRows(context, live);
    const body = rows.length === 0
      ? html`<p>No camera is enabled in the config.</p>`
      : html`<div class="cards">${rows.map((row) => html`
<section class="card camera" data-camera="${row.id}">
  <a href="/cameras/${row.id}/live"><img src="/cameras/${row.id}/frame.jpg" alt="latest picture of ${row.id}" width="${row.detect.width}" height="${row.detect.height}"></a>
  <h2>${row.name ?? row.id} <small>${row.name === undefined ? '' : row.id}</small></h2>
  <dl>
    <dt>State</dt><dd data-field="state" class="state-${row.state}">${row.state}${row.degraded ? ' (no detector)' : ''}</dd>
    <dt>Frames/s</dt><dd data-field="fps">${row.fps.toFixed(1)}</dd>
    <dt>Detector runs/s</dt><dd data-field="detect-rate">…</dd>
    <dt>Last frame</dt><dd data-field="last-frame">${ago(row.lastFrameAt, now)}</dd>
    <dt>Drawing</dt><dd>${row.detect.width}×${row.detect.height} at ${row.detect.fps} fps; ${row.zones} zones, ${row.lines} lines</dd>
  </dl>
  <p class="actions"><a class="button" href="/cameras/${row.id}/live">Live view</a> <a class="button" href="/cameras/${row.id}/zones">Zones and rules</a></p>
</section>`)}</div>`;
    return reply.type('text/html').send(page({ title: 'Cameras', section: 'cameras', gateway: context.gatewayId, csrf: session.csrf, user: session.user, scripts: ['cameras.js'] }, body));
  });

  app.get('/api/cameras', (_request, reply) => reply.send({ at: context.clock?.() ?? Date.now(), cameras: cameraRows(context, live) }));

  app.get<{ Params: { id: string }; Querystring: { zones?: string } }>('/cameras/:id/frame.jpg', async (request, reply) => {
    const worker = findCamera(context, request.params.id);
    if (worker === undefined) return notFound(reply, `camera "${request.params.id}"`);
    const image = worker.latestImage();
    if (image === undefined) return reply.code(503).type('text/plain').send(`camera "${worker.id}" has no picture yet`);
    const drawn = request.query.zones === '1' ? await drawZones(image, worker.camera) : image;
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(await encodeJpeg(drawn));
  });
}
