import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { isHuxiaoError, type ErrorCode } from '../../errors.js';
import { decodePhotoUpload } from '../../identity/photo-upload.js';
import { auditWeb } from '../audit.js';
import { actorOf, sessionOf } from '../guard.js';
import { html, page, when } from '../html.js';
import type { PageContext } from '../page-context.js';

/** A phone photo as it comes off the phone: the page takes bigger photos than cmd/enroll, since no one downscales them first. */
export const MAX_PAGE_PHOTO_BYTES = 4 * 1_048_576;
/** The JSON body: the photo's base64 (4/3 of its bytes) and the few text fields. */
const BODY_LIMIT = Math.ceil((MAX_PAGE_PHOTO_BYTES * 4) / 3) + 64 * 1024;

const optional = (max: number): z.ZodType<string | undefined> => z.string().trim().max(max).optional().transform((text) => (text === '' ? undefined : text));
const enrollSchema = z
  .object({
    id: optional(64),
    list: z.string().trim().min(1, 'choose a list'),
    name: z.string().trim().min(1, 'the name is required').max(100),
    class: optional(100),
    school: optional(200),
    consent: z.string().trim().min(1, 'the consent reference is required').max(200),
    photo: z.string().min(1, 'choose a photo'),
  })
  .strict();

const STATUS: Partial<Record<ErrorCode, number>> = {
  CMD_MALFORMED: 400,
  PHOTO_UPLOAD: 400,
  FACE_PHOTO: 400,
  GALLERY_INVALID: 400,
  GALLERY_PERSON_EXISTS: 409,
  GALLERY_UNKNOWN_PERSON: 404,
  GALLERY_UNAVAILABLE: 503,
};

function failed(reply: FastifyReply, error: unknown, audit: (code: string, message: string) => void): FastifyReply {
  const code = error instanceof z.ZodError ? 'CMD_MALFORMED' : isHuxiaoError(error) ? error.code : 'UNEXPECTED';
  const message = error instanceof z.ZodError ? error.issues.map((issue) => issue.message).join('; ') : error instanceof Error ? error.message : String(error);
  audit(code, message);
  const status = code === 'UNEXPECTED' ? undefined : STATUS[code];
  if (status === undefined) throw error;
  return reply.code(status).send({ error: message, code });
}

/**
 * GET /gallery (how many persons per list, enroll from an uploaded photo, remove), POST /api/gallery/persons and
 * DELETE /api/gallery/persons/:id: through the same Enrollment as `huxiao enroll` and cmd/enroll, with the web user as
 * the actor of the gallery's audit row and a web.enroll / web.unenroll row beside it. The list shows ids, lists and
 * who enrolled when, never names: children's names on a screen should be `huxiao gallery list --names`, a choice.
 */
export function galleryRoutes(app: FastifyInstance, context: PageContext): void {
  const { runtime } = context;

  app.get<{ Querystring: { enrolled?: string; removed?: string } }>('/gallery', async (request, reply) => {
    const session = sessionOf(request);
    const options = { title: 'Gallery', section: 'gallery', gateway: context.gatewayId, csrf: session.csrf, user: session.user } as const;
    const unavailable = runtime.gallery.unavailable;
    if (unavailable !== undefined) {
      const body = html`<section class="card"><p class="problem">The face gallery is not available: ${unavailable}</p><p class="note">Nothing can be enrolled or identified until the right key is back at identity.keyFile and the service is restarted.</p></section>`;
      return reply.type('text/html').send(page(options, body));
    }
    const persons = runtime.gallery.records();
    const counts = new Map<string, number>();
    for (const person of persons) counts.set(person.list, (counts.get(person.list) ?? 0) + 1);
    const { enrolled, removed } = request.query;
    const notice = enrolled !== undefined ? html`<p class="saved" id="gallery-notice">Enrolled ${enrolled}.</p>` : removed !== undefined ? html`<p class="saved" id="gallery-notice">Removed ${removed}: deleted with their name clips.</p>` : '';
    const body = html`
<section class="card" id="gallery-count">
  <h2>${String(persons.length)} ${persons.length === 1 ? 'person' : 'persons'} enrolled</h2>
  ${counts.size === 0 ? '' : html`<dl>${[...counts].map(([list, n]) => html`<dt>${list}</dt><dd data-list="${list}">${String(n)}</dd>`)}</dl>`}
</section>
${notice}
<form id="enroll" class="card">
  <h2>Enroll a person</h2>
  <label>Photo (JPEG or PNG, one face, at least 80 px wide, sharp)<input type="file" name="photo" accept="image/jpeg,image/png" required></label>
  <label>Name<input name="name" maxlength="100" required></label>
  <label>Class<input name="class" maxlength="100" placeholder="三年级二班"></label>
  <label>School<input name="school" maxlength="200"></label>
  <label>Id (student number; empty: a new id)<input name="id" maxlength="64"></label>
  <label>List<input name="list" value="students" maxlength="48" list="gallery-lists"></label>
  <datalist id="gallery-lists"><option value="students">${[...counts.keys()].filter((list) => list !== 'students').map((list) => html`<option value="${list}">`)}</datalist>
  <label>Consent or authorization reference<input name="consent" maxlength="200" required></label>
  <button type="submit" class="primary">Enroll</button>
  <p class="problem" id="enroll-problem" hidden></p>
</form>
${persons.length === 0 ? html`<p>No one is enrolled yet.</p>` : html`
<h2>Enrolled persons</h2>
<table id="persons">
  <thead><tr><th>Id</th><th>List</th><th>Enrolled</th><th>By</th><th></th></tr></thead>
  <tbody>${persons.map((person) => html`<tr data-person="${person.id}"><td>${person.id}</td><td>${person.list}</td><td>${when(person.enrolledAt)}</td><td>${person.enrolledBy}</td><td><button type="button" data-remove="${person.id}">Remove</button></td></tr>`)}</tbody>
</table>
<p class="problem" id="remove-problem" hidden></p>`}`;
    return reply.type('text/html').send(page({ ...options, scripts: ['gallery.js'] }, body));
  });

  app.post('/api/gallery/persons', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const actor = actorOf(sessionOf(request));
    try {
      const args = enrollSchema.parse(request.body ?? {});
      const enrollment = runtime.gallery.enrollment();
      const photo = decodePhotoUpload(args.photo, 'the photo', { maxBytes: MAX_PAGE_PHOTO_BYTES, formats: ['jpeg', 'png'] });
      const result = await enrollment.enroll({
        list: args.list,
        name: args.name,
        consent: args.consent,
        ...(args.id === undefined ? {} : { id: args.id }),
        ...(args.class === undefined ? {} : { class: args.class }),
        ...(args.school === undefined ? {} : { school: args.school }),
        photos: [{ name: 'the photo', source: photo }],
        by: actor,
      });
      auditWeb(runtime.store, { command: 'web.enroll', actor, outcome: 'ok', detail: `person ${result.id} (list ${result.list})` });
      return { id: result.id, list: result.list, photos: result.photos, voice: result.voice === null ? null : 'error' in result.voice ? { error: result.voice.code } : { clips: result.voice.rendered + result.voice.kept } };
    } catch (error) {
      return failed(reply, error, (code, message) => {
        auditWeb(runtime.store, { command: 'web.enroll', actor, outcome: 'error', code, detail: message });
      });
    }
  });

  app.delete<{ Params: { id: string } }>('/api/gallery/persons/:id', async (request, reply) => {
    const actor = actorOf(sessionOf(request));
    const { id } = request.params;
    try {
      const removal = await runtime.gallery.enrollment().remove(id, { by: actor });
      auditWeb(runtime.store, { command: 'web.unenroll', actor, outcome: 'ok', detail: `person ${removal.id} (list ${removal.list})` });
      return { id: removal.id, list: removal.list, wiped: removal.wiped, clips: removal.clips };
    } catch (error) {
      return failed(reply, error, (code, message) => {
        auditWeb(runtime.store, { command: 'web.unenroll', actor, outcome: 'error', code, detail: `person ${id}: ${message}` });
      });
    }
  });
}
