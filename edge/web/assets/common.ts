/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Browser side, shared by every page: the session's CSRF token on each change, and the logout button. Compiled by
 * tsc like the rest and served from /assets/ (no bundler, no framework).
 */

export interface ApiAnswer<T> {
  readonly ok: boolean;
  readonly status: number;
  readonly data: T;
}

export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

/** JSON request to the page's API with the CSRF header; a 401 (session expired) goes to the login page. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = { error: text };
  }
  return { ok: response.ok, status: response.status, data: data as T };
}

/** An element built from a tag, attributes and children; text is always set as text, never parsed as markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-csrf-form]')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void api('POST', form.action).then(() => {
      window.location.assign('/login');
    });
  });
}
