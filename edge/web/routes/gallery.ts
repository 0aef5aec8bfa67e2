import type { FastifyInstance } from 'fastify';
import { sessionOf } from '../guard.js';
import { html, page } from '../html.js';
import type { PageContext } from '../page-context.js';

/**
 * GET /gallery. The student and watch-list gallery (count, enroll from an uploaded photo, remove) comes with the
 * identity module; until it is part of the runtime this page says so. Its routes go here, given the gallery
 * through PageContext like the other sections.
 */
export function galleryRoutes(app: FastifyInstance, context: PageContext): void {
  app.get('/gallery', async (request, reply) => {
    const session = sessionOf(request);
    const body = html`<p class="card note">The face gallery is not available in this version of Huxiao Edge. Enrolling and removing faces will be done here once face identification is part of the gateway.</p>`;
    return reply.type('text/html').send(page({ title: 'Gallery', section: 'gallery', gateway: context.gatewayId, csrf: session.csrf, user: session.user }, body));
  });
}
