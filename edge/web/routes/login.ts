import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { isHuxiaoError } from '../../errors.js';
import { moduleLogger } from '../../log.js';
import { safeNext, SESSION_COOKIE, sessionOf } from '../guard.js';
import { html, page } from '../html.js';
import type { PageContext } from '../page-context.js';
import { readPasswordFile, verifyPassword } from '../password.js';
import type { Sessions } from '../sessions.js';

const loginSchema = z.object({
  user: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(1024),
  next: z.string().max(500).optional(),
});

const log = moduleLogger('web-login');

function loginPage(context: PageContext, options: { problem?: string; next?: string; user?: string }): string {
  return page({ title: 'Log in', section: 'login', gateway: context.gatewayId }, html`
<form method="post" action="/login" class="login">
  ${options.problem === undefined ? '' : html`<p class="problem" role="alert">${options.problem}</p>`}
  <label>Your name <small>(recorded with what you acknowledge or change)</small><input name="user" autocomplete="username" required maxlength="64" value="${options.user ?? ''}"></label>
  <label>Password<input name="password" type="password" autocomplete="current-password" required></label>
  <input type="hidden" name="next" value="${safeNext(options.next)}">
  <button type="submit">Log in</button>
</form>`);
}

/**
 * GET /login, POST /login (rate-limited per client address) and POST /logout. The password is checked against the
 * scrypt hash in web.passwordFile, read at each attempt so `huxiao web-password` takes effect without a restart.
 * Neither the password nor the session id is ever logged.
 */
export function loginRoutes(context: PageContext, sessions: Sessions): FastifyPluginAsync {
  return (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.statusCode !== 429) throw error;
      log.warn({ address: request.ip }, 'login attempts over the limit; refused for the rest of the minute');
      return reply.code(429).type('text/html').send(loginPage(context, { problem: 'Too many login attempts from this address: wait a minute and try again.' }));
    });

    app.get('/login', async (request, reply) => {
      const next = (request.query as { next?: unknown }).next;
      const problem = (await passwordState(context)) ?? undefined;
      return reply.type('text/html').send(loginPage(context, { ...(problem === undefined ? {} : { problem }), ...(typeof next === 'string' ? { next } : {}) }));
    });

    app.post('/login', { config: { rateLimit: { max: context.web.loginAttemptsPerMinute, timeWindow: 60_000 } } }, async (request, reply) => {
      const parsed = loginSchema.safeParse(request.body);
      if (!parsed.success) return reply.code(400).type('text/html').send(loginPage(context, { problem: 'Enter your name and the password.' }));
      const { user, password, next } = parsed.data;
      let hash;
      try {
        hash = await readPasswordFile(context.web.passwordFile);
      } catch (error) {
        log.error({ err: error }, 'the page\'s password hash cannot be read; nobody can log in');
        return reply.code(503).type('text/html').send(loginPage(context, { problem: isHuxiaoError(error) ? error.message : 'The password file cannot be read.', user }));
      }
      if (hash === undefined) return reply.code(503).type('text/html').send(loginPage(context, { problem: noPassword(context), user }));
      if (!(await verifyPassword(password, hash))) {
        log.warn({ address: request.ip, user }, 'login refused: wrong password');
        return reply.code(401).type('text/html').send(loginPage(context, { problem: 'Wrong password.', user, ...(next === undefined ? {} : { next }) }));
      }
      const session = sessions.create(user);
      log.info({ address: request.ip, user }, 'logged in to the local page');
      return reply
        .setCookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: Math.floor((session.expiresAt - Date.now()) / 1000) })
        .redirect(safeNext(next), 303);
    });
    return Promise.resolve();
  };
}

/** POST /logout, inside the guarded scope (a logout needs the CSRF token too). */
export function logoutRoute(app: FastifyInstance, sessions: Sessions): void {
  app.post('/logout', async (request, reply) => {
    sessions.delete(sessionOf(request).id);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).code(204).send();
  });
}

function noPassword(context: PageContext): string {
  return `No password is set for this page yet: run "huxiao web-password" on the gateway (it writes ${context.web.passwordFile}).`;
}

/** Why nobody can log in right now, if that is so. */
async function passwordState(context: PageContext): Promise<string | undefined> {
  try {
    return (await readPasswordFile(context.web.passwordFile)) === undefined ? noPassword(context) : undefined;
  } catch (error) {
    return isHuxiaoError(error) ? error.message : 'The password file cannot be read.';
  }
}
