import { statfs } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { LANES } from '../../store/outbox.js';
import { sessionOf } from '../guard.js';
import { ago, html, page, type Html } from '../html.js';
import type { PageContext } from '../page-context.js';

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(0)} KiB`;
}

async function diskRow(dir: string): Promise<Html> {
  try {
    const fs = await statfs(dir);
    const total = fs.blocks * fs.bsize;
    const free = fs.bavail * fs.bsize;
    return html`<tr><th>Disk of ${dir}</th><td class="${free / total < 0.05 ? 'verdict-degraded' : 'verdict-ok'}">${bytes(free)} free of ${bytes(total)}</td></tr>`;
  } catch (error) {
    return html`<tr><th>Disk of ${dir}</th><td class="verdict-degraded">cannot be read: ${error instanceof Error ? error.message : String(error)}</td></tr>`;
  }
}

/** GET /health: the health verdicts of /healthz, and the models, store, uplink and disk behind them, for a person. */
export function healthPageRoutes(app: FastifyInstance, context: PageContext): void {
  app.get('/health', async (request, reply) => {
    const session = sessionOf(request);
    const { runtime } = context;
    const now = context.clock?.() ?? Date.now();
    const report = context.health();
    const usage = runtime.retention.usage();
    const outbox = runtime.store.outbox.depth();
    const oldest = runtime.store.outbox.oldestPendingAt(LANES.normal);
    const uplink = runtime.uplink;
    const body = html`
<p class="card summary ${report.ready ? 'verdict-ok' : report.live ? 'verdict-degraded' : 'verdict-wedged'}">${report.ready ? 'Everything works.' : report.live ? 'Running, with problems listed below.' : 'Wedged: systemd restarts the gateway if this lasts.'}</p>
<h2>Checks</h2>
<table><thead><tr><th>Check</th><th>Verdict</th><th>Detail</th></tr></thead><tbody>
${report.checks.map((check) => html`<tr><td>${check.camera === undefined ? check.name : `${check.name} ${check.camera}`}</td><td class="verdict-${check.verdict}">${check.verdict}</td><td>${check.detail ?? ''}</td></tr>`)}
</tbody></table>
<h2>Models</h2>
<table><thead><tr><th>Role</th><th>State</th><th>Model</th><th>Problem</th></tr></thead><tbody>
${runtime.vision.health().map((model) => html`<tr><td>${model.role}</td><td class="${model.state === 'ready' ? 'verdict-ok' : 'verdict-degraded'}">${model.state}</td><td>${model.model ?? ''}${model.precision === undefined ? '' : ` (${model.precision})`}</td><td>${model.error === undefined ? '' : `${model.error.code}: ${model.error.message}`}</td></tr>`)}
</tbody></table>
<h2>Store, uplink, disk</h2>
<table><tbody>
<tr><th>Store</th><td class="${usage.full ? 'verdict-degraded' : 'verdict-ok'}">${bytes(usage.usedBytes)} of ${bytes(usage.quotaBytes)} quota${usage.full ? ' — full: old pictures and alerts are being deleted' : ''}; ${runtime.store.alerts.count()} alerts kept</td></tr>
<tr><th>Uplink</th><td class="${uplink === undefined ? 'verdict-degraded' : uplink.connected ? 'verdict-ok' : 'verdict-degraded'}">${uplink === undefined ? 'no mqtt section: alerts stay on this box' : uplink.connected ? 'connected to the broker' : 'not connected; alerts wait in the outbox'}</td></tr>
<tr><th>Outbox</th><td>${outbox.depth} messages to send (${outbox.emergencyDepth} emergency)${oldest === undefined ? '' : `, oldest ${ago(oldest, now)}`}</td></tr>
${await diskRow(context.storageDir)}
</tbody></table>`;
    return reply.type('text/html').send(page({ title: 'Health', section: 'health', gateway: context.gatewayId, csrf: session.csrf, user: session.user }, body));
  });
}
