import type { FastifyPluginAsync } from 'fastify';
import type { Health } from './health.js';

/**
 * GET /healthz is readiness: 200 when everything works (every camera streaming, the detector loaded, the store
 * writable), 503 otherwise. GET /healthz/live is liveness: 200 unless something is wedged, the same verdict that feeds
 * systemd's watchdog. Both return the report as JSON and need no login: a monitor on the LAN must be able to ask,
 * and the report holds only states and figures.
 */
export function healthRoutes(health: Health): FastifyPluginAsync {
  return (app) => {
    app.get('/healthz', async (_request, reply) => {
      const report = health.evaluate();
      return reply.code(report.ready ? 200 : 503).send(report);
    });
    app.get('/healthz/live', async (_request, reply) => {
      const report = health.evaluate();
      return reply.code(report.live ? 200 : 503).send(report);
    });
    return Promise.resolve();
  };
}
