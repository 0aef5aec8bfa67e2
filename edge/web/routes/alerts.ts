import { createReadStream } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Alert } from '../../store/alert.js';
import { isHuxiaoError } from '../../errors.js';
import { auditWeb } from '../audit.js';
import { actorOf, sessionOf } from '../guard.js';
import { html, page, when } from '../html.js';
import type { PageContext } from '../page-context.js';
import { notFound } from './cameras.js';

const RECENT = 50;
/** Alert ids are ULIDs; anything else is refused before it reaches the store. */
const ALERT_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const ackSchema = z.object({ note: z.string().trim().max(500).optional() }).strict();
const resolveSchema = z.object({ feedback: z.string().trim().min(1, 'say how it was handled').max(1000) }).strict();

/**
 * How long after an alert its missing picture counts as still being written (encoding and writing take well under a
 * second; this leaves room for a busy disk). Later, a missing picture is one retention deleted.
 */
const PICTURE_PENDING_MS = 120_000;

/** Whether the alert's picture is stored, and if not, whether it may still come. */
type PictureState = 'stored' | 'pending' | 'gone';

/**
 * The alert's picture; the store commits an alert before its picture is encoded and written, so the newest alerts
 * can have a picture still on its way: that one is a placeholder that alerts.js swaps for the picture once it is served.
 */
function alertPicture(alert: Alert, picture: PictureState): ReturnType<typeof html> {
  const url = `/alerts/${alert.id}/snapshot.jpg`;
  const alt = `picture of alert ${String(alert.seq)}`;
  if (alert.snapshot === null) return html`<div class="no-picture">no picture</div>`;
  if (picture === 'gone') return html`<div class="no-picture">picture no longer kept</div>`;
  if (picture === 'pending') return html`<div class="no-picture" data-picture="${url}" data-alt="${alt}">picture being saved</div>`;
  return html`<a href="${url}"><img src="${url}" alt="${alt}" loading="lazy"></a>`;
}

function alertCard(alert: Alert, picture: PictureState): ReturnType<typeof html> {
  const open = alert.state === 'raised' || alert.state === 'acknowledged';
  return html`
<section class="card alert state-${alert.state}" data-alert="${alert.id}">
  ${alertPicture(alert, picture)}
  <h2><span class="severity severity-${alert.severity}">${alert.severity}</span> ${alert.type} <small>#${alert.seq}</small></h2>
  <dl>
    <dt>Camera</dt><dd>${alert.camera}${alert.zone === '' ? '' : ` · ${alert.zone}`}</dd>
    <dt>Rule</dt><dd>${alert.rule}</dd>
    <dt>Raised</dt><dd>${when(alert.raisedAt)}${alert.count > 1 ? ` (${String(alert.count)} times)` : ''}</dd>
    <dt>State</dt><dd data-field="state">${alert.state}</dd>
  </dl>
  ${open ? html`<form class="alert-actions" data-alert="${alert.id}">
    ${alert.state === 'raised' ? html`<button type="button" data-action="ack">Acknowledge</button>` : ''}
    <input name="feedback" placeholder="How it was handled" maxlength="1000" aria-label="how it was handled">
    <button type="button" data-action="resolve">Resolve</button>
    <p class="problem" data-field="problem" hidden></p>
  </form>` : ''}
</section>`;
}

/**
 * GET /alerts (the newest alerts with their pictures), GET /alerts/:id/snapshot.jpg (found through the store by alert
 * id, never by a path from the request) and POST /api/alerts/:id/ack | resolve: the on-site half of the closed loop,
 * through the same AlertService calls as the MQTT commands, with the web user as `by` and an audit row each.
 */
export function alertRoutes(app: FastifyInstance, context: PageContext): void {
  const snapshotsDir = resolve(join(context.storageDir, 'snapshots'));
  const { runtime } = context;

  app.get('/alerts', async (request, reply) => {
    const session = sessionOf(request);
    const alerts = runtime.store.alerts.recent(RECENT, context.gatewayId);
    const now = context.clock?.() ?? Date.now();
    const picture = (alert: Alert): PictureState =>
      runtime.store.snapshots.forAlert(alert.id).some((snapshot) => snapshot.kind === 'frame') ? 'stored' : now - alert.raisedAt < PICTURE_PENDING_MS ? 'pending' : 'gone';
    const body = alerts.length === 0 ? html`<p>No alert yet.</p>` : html`<div class="cards">${alerts.map((alert) => alertCard(alert, picture(alert)))}</div>`;
    return reply.type('text/html').send(page({ title: 'Alerts', section: 'alerts', gateway: context.gatewayId, csrf: session.csrf, user: session.user, scripts: ['alerts.js'] }, body));
  });

  app.get<{ Params: { id: string } }>('/alerts/:id/snapshot.jpg', async (request, reply) => {
    const { id } = request.params;
    if (!ALERT_ID.test(id)) return notFound(reply, 'alert');
    const record = runtime.store.snapshots.forAlert(id).find((snapshot) => snapshot.kind === 'frame');
    if (record === undefined) return notFound(reply, `picture of alert ${id}`);
    const file = resolve(snapshotsDir, record.path);
    const inside = relative(snapshotsDir, file);
    if (inside.startsWith('..') || inside.startsWith(sep)) return notFound(reply, `picture of alert ${id}`);
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400').send(createReadStream(file));
  });

  const change = (action: 'ack' | 'resolve'): void => {
    app.post<{ Params: { id: string } }>(`/api/alerts/:id/${action}`, async (request, reply) => {
      const actor = actorOf(sessionOf(request));
      const { id } = request.params;
      if (!ALERT_ID.test(id)) return reply.code(404).send({ error: `no alert with id ${id}` });
      const command = `web.${action}`;
      try {
        let alert: Alert;
        if (action === 'ack') {
          const args = ackSchema.parse(request.body ?? {});
          alert = runtime.alerts.acknowledge(id, { by: actor, ...(args.note === undefined || args.note === '' ? {} : { note: args.note }) });
        } else {
          alert = runtime.alerts.resolve(id, { by: actor, feedback: resolveSchema.parse(request.body ?? {}).feedback });
        }
        auditWeb(runtime.store, { command, actor, outcome: 'ok', detail: `alert ${id}` });
        return { id: alert.id, seq: alert.seq, state: alert.state };
      } catch (error) {
        const code = error instanceof z.ZodError ? 'CMD_MALFORMED' : isHuxiaoError(error) ? error.code : 'UNEXPECTED';
        const message = error instanceof z.ZodError ? error.issues.map((issue) => issue.message).join('; ') : error instanceof Error ? error.message : String(error);
        auditWeb(runtime.store, { command, actor, outcome: 'error', code, detail: `alert ${id}: ${message}` });
        const status = code === 'ALERT_UNKNOWN' ? 404 : code === 'ALERT_STATE' ? 409 : code === 'CMD_MALFORMED' ? 400 : 500;
        if (status === 500) throw error;
        return reply.code(status).send({ error: message, code });
      }
    });
  };
  change('ack');
  change('resolve');
}
