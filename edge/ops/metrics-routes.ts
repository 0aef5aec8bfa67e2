import type { FastifyPluginAsync } from 'fastify';
import type { RuntimeMetrics } from './metrics.js';

/**
 * GET /metrics, the Prometheus exposition. Served without the page's login: scrapers on the LAN carry no session, and
 * the figures are counts per camera, model and type with no person, picture or alert content in them.
 */
export function metricsRoutes(metrics: RuntimeMetrics): FastifyPluginAsync {
  return (app) => {
    app.get('/metrics', async (_request, reply) => {
      const text = await metrics.text();
      return reply.type(metrics.contentType).send(text);
    });
    return Promise.resolve();
  };
}
