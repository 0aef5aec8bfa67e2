import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfMatches, type Session, type Sessions } from './sessions.js';

export const SESSION_COOKIE = 'huxiao_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const sessions = new WeakMap<FastifyRequest, Session>();

/** The session of a request that passed the guard. */
export function sessionOf(request: FastifyRequest): Session {
  const session = sessions.get(request);
  if (session === undefined) throw new Error('sessionOf() on a route outside the guarded scope');
  return session;
}

/** How the web user is named in alert states and the audit log. */
export function actorOf(session: Session): string {
  return `web:${session.user}`;
}

/** A path on this page to go back to after logging in; anything else (another host, "//evil") becomes /cameras. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : '/cameras';
}

/** Same scheme-less host in Origin as in Host: a websocket opened by another site's page is refused. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/**
 * onRequest hook of every page route except the login page and the static assets. No session: a page request is
 * sent to the login page, anything else gets 401. A change (any method but GET / HEAD / OPTIONS) must carry the
 * session's CSRF token in x-csrf-token, else 403: the cookie alone (SameSite=Strict already) never authorizes a change.
 */
export function sessionGuard(store: Sessions): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
    if (upgrade && !sameOrigin(request)) {
      await reply.code(403).send({ error: 'websocket from another origin refused' });
      return;
    }
    const session = store.get(request.cookies[SESSION_COOKIE]);
    if (session === undefined) {
      if (request.method === 'GET' && !upgrade && (request.headers.accept ?? '').includes('text/html')) {
        await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      } else {
        await reply.code(401).send({ error: 'not logged in (or the session expired): log in on /login' });
      }
      return;
    }
    if (!SAFE_METHODS.has(request.method) && !csrfMatches(session, request.headers['x-csrf-token'])) {
      await reply.code(403).send({ error: 'missing or wrong CSRF token: reload the page and try again' });
      return;
    }
    sessions.set(request, session);
  };
}
