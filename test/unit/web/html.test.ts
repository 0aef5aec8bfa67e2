import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeNext } from '../../../edge/web/guard.js';
import { html, Html } from '../../../edge/web/html.js';
import { Sessions, csrfMatches } from '../../../edge/web/sessions.js';

describe('page markup and sessions', () => {
  it('escapes every interpolated value, nested markup excepted', () => {
    const name = '<img src=x onerror="alert(1)">\'`&';
    assert.equal(html`<p title="${name}">${name}</p>`.text, '<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;&amp;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;&amp;</p>');
    assert.equal(html`<ul>${['a<', 'b'].map((item) => html`<li>${item}</li>`)}</ul>`.text, '<ul><li>a&lt;</li><li>b</li></ul>');
    assert.equal(html`${undefined}${null}${false}${0}`.text, '0');
    assert.ok(html`x` instanceof Html);
  });

  it('only follows a login\'s next to a path of this page', () => {
    assert.equal(safeNext('/cameras/gate/zones'), '/cameras/gate/zones');
    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', undefined, 42]) assert.equal(safeNext(bad), '/cameras', String(bad));
  });

  it('expires sessions after the ttl, forgets deleted ones, keeps at most max, and checks the CSRF token', () => {
    let now = 1000;
    const sessions = new Sessions({ ttlMs: 60_000, clock: () => now, max: 2 });
    const a = sessions.create('Li');
    assert.equal(sessions.get(a.id)?.user, 'Li');
    assert.notEqual(a.id, a.csrf);
    assert.equal(csrfMatches(a, a.csrf), true);
    assert.equal(csrfMatches(a, `${a.csrf}x`), false);
    assert.equal(csrfMatches(a, undefined), false);
    const b = sessions.create('Wang');
    sessions.create('Zhao');
    assert.equal(sessions.get(a.id), undefined, 'the oldest went when a third came');
    assert.equal(sessions.get(b.id)?.user, 'Wang');
    sessions.delete(b.id);
    assert.equal(sessions.get(b.id), undefined);
    const c = sessions.create('Sun');
    now += 60_000;
    assert.equal(sessions.get(c.id), undefined, 'expired');
    assert.equal(sessions.get(undefined), undefined);
  });
});
