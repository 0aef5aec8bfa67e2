import { VERSION } from '../version.js';

/** Markup that is already safe: built by `html` from escaped parts. Only this module constructs it from text. */
export class Html {
  readonly text: string;

  private constructor(text: string) {
    this.text = text;
  }

  /** For trusted constants only (a script tag this module writes); never for data. */
  static trusted(text: string): Html {
    return new Html(text);
  }

  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Template tag for markup: every interpolated value is escaped unless it is Html (the result of another `html`), so
 * a camera name, an alert detail or a config problem can never become markup. Attribute values must be quoted.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return Html.trusted(out);
}

export interface PageOptions {
  readonly title: string;
  /** Nav entry to mark as current. */
  readonly section: 'cameras' | 'alerts' | 'speaker' | 'gallery' | 'health' | 'login';
  readonly gateway: string;
  /** The session's CSRF token, for the page's scripts; absent on the login page. */
  readonly csrf?: string;
  readonly user?: string;
  /** Browser modules of this page under /assets/ (compiled from edge/web/assets/). */
  readonly scripts?: readonly string[];
  /** Classic scripts to load first (the JSMpeg player). */
  readonly vendorScripts?: readonly string[];
}

const NAV: readonly { readonly section: PageOptions['section']; readonly href: string; readonly label: string }[] = [
  { section: 'cameras', href: '/cameras', label: 'Cameras' },
  { section: 'alerts', href: '/alerts', label: 'Alerts' },
  { section: 'speaker', href: '/speaker', label: 'Speaker' },
  { section: 'gallery', href: '/gallery', label: 'Gallery' },
  { section: 'health', href: '/health', label: 'Health' },
];

/** The whole document around a page's body: header with the gateway id, navigation, logout. */
export function page(options: PageOptions, body: Html): string {
  const nav = options.section === 'login'
    ? html``
    : html`<nav>${NAV.map((item) => html`<a href="${item.href}"${item.section === options.section ? Html.trusted(' aria-current="page"') : ''}>${item.label}</a>`)}
      <form method="post" action="/logout" class="logout" data-csrf-form><button type="submit">Log out${options.user === undefined ? '' : ` (${options.user})`}</button></form></nav>`;
  const doc = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${options.gateway}</title>
${options.csrf === undefined ? '' : html`<meta name="csrf-token" content="${options.csrf}">`}
<link rel="stylesheet" href="/assets/style.css">
${(options.vendorScripts ?? []).map((src) => html`<script src="/assets/${src}"></script>`)}
${(options.scripts ?? ['common.js']).map((src) => html`<script type="module" src="/assets/${src}"></script>`)}
</head><body>
<header><span class="brand">Huxiao Edge</span> <span class="gateway">${options.gateway}</span> <span class="version">v${VERSION}</span></header>
${nav}
<main>
<h1>${options.title}</h1>
${body}
</main></body></html>`;
  return doc.text;
}

/** "3 s ago", "5 min ago", "2 h ago" from epoch ms. */
export function ago(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return 'never';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 120) return `${String(seconds)} s ago`;
  if (seconds < 7200) return `${String(Math.round(seconds / 60))} min ago`;
  return `${String(Math.round(seconds / 3600))} h ago`;
}

/** Local wall-clock time of epoch ms, for lists. */
export function when(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
