import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SPEAKER_TEST_TEXT } from '../../actions/actions.js';
import { isHuxiaoError } from '../../errors.js';
import { auditWeb } from '../audit.js';
import { actorOf, sessionOf } from '../guard.js';
import { html, page } from '../html.js';
import type { PageContext } from '../page-context.js';

const testSchema = z.object({ text: z.string().trim().min(1).max(200).optional() }).strict();

/** GET /speaker and POST /api/speaker-test: the whole voice chain (amplifier, chime, message), as `huxiao speaker-test`. */
export function speakerRoutes(app: FastifyInstance, context: PageContext): void {
  app.get('/speaker', async (request, reply) => {
    const session = sessionOf(request);
    const body = html`
<form id="speaker-test" class="card">
  <label>Sentence<input name="text" maxlength="200" value="${SPEAKER_TEST_TEXT}"></label>
  <button type="submit" class="primary">Play on the speaker</button>
</form>
<div id="speaker-result" aria-live="polite"></div>`;
    return reply.type('text/html').send(page({ title: 'Speaker test', section: 'speaker', gateway: context.gatewayId, csrf: session.csrf, user: session.user, scripts: ['speaker.js'] }, body));
  });

  app.post('/api/speaker-test', async (request, reply) => {
    const actor = actorOf(sessionOf(request));
    const parsed = testSchema.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: 'the sentence must have 1 to 200 characters' });
    try {
      const result = await context.runtime.actions.speakerTest(parsed.data.text);
      auditWeb(context.runtime.store, { command: 'web.speaker-test', actor, outcome: result.outcome === 'completed' ? 'ok' : 'error', detail: `${result.outcome} on ${result.device}` });
      return { device: result.device, amplifier: result.amplifier, chime: result.chimePath !== null, text: result.text, outcome: result.outcome, renderMs: result.renderMs, playMs: result.playMs, error: result.error ?? null };
    } catch (error) {
      const code = isHuxiaoError(error) ? error.code : 'UNEXPECTED';
      const message = error instanceof Error ? error.message : String(error);
      auditWeb(context.runtime.store, { command: 'web.speaker-test', actor, outcome: 'error', code, detail: message });
      return reply.code(500).send({ error: message, code });
    }
  });
}
