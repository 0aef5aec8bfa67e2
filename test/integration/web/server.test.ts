import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { HuxiaoError } from '../../../edge/errors.js';
import { Health } from '../../../edge/ops/health.js';
import { bindAddresses } from '../../../edge/web/bind-address.js';
import { healthRoutes } from '../../../edge/ops/health-routes.js';
import { WebServer } from '../../../edge/web/server.js';
import { freePort } from '../../helpers/ports.js';

const health = new Health({ cameras: () => [], probeStore: () => undefined, storeFull: () => false, detectorReady: () => undefined, phase: () => 'running' });

function listening(port: number, host: string): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve(() => new Promise((done) => server.close(() => { done(); })));
    });
  });
}

describe('web server', () => {
  it('"lan" serves on loopback and on every LAN address of this box, through one set of routes', async () => {
    const port = await freePort();
    const server = new WebServer({ config: { host: 'lan', port }, routes: [healthRoutes(health)] });
    await server.start();
    try {
      const expected = bindAddresses('lan').map((address) => `http://${address.includes(':') ? `[${address}]` : address}:${String(port)}`);
      assert.deepEqual(server.urls(), expected);
      for (const url of server.urls()) {
        const response = await fetch(`${url}/healthz/live`);
        assert.equal(response.status, 200, url);
        assert.deepEqual(await response.json(), { live: true, ready: true, checks: [{ name: 'event-loop', verdict: 'ok' }, { name: 'store', verdict: 'ok' }] });
      }
      assert.equal((await fetch(`http://127.0.0.1:${String(port)}/nothing-here`)).status, 404);
    } finally {
      await server.stop();
    }
  });

  it('reports WEB_LISTEN when the port is taken', async () => {
    const port = await freePort();
    const release = await listening(port, '127.0.0.1');
    try {
      const server = new WebServer({ config: { host: '127.0.0.1', port }, routes: [] });
      await assert.rejects(server.start(), (error: unknown) => error instanceof HuxiaoError && error.code === 'WEB_LISTEN' && error.message === `cannot listen on 127.0.0.1:${String(port)}: listen EADDRINUSE: address already in use 127.0.0.1:${String(port)}`);
    } finally {
      await release();
    }
  });

  // fastify's keep-alive timeout is 72 s: a stop that waited for the browser's idle connection would hit this limit.
  it('closes kept-alive connections on every address at stop, and frees the port', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const server = new WebServer({ config: { host: 'lan', port }, routes: [healthRoutes(health)] });
    await server.start();
    const addresses = bindAddresses('lan');
    for (const url of server.urls()) {
      const response = await fetch(`${url}/healthz`, { headers: { connection: 'keep-alive' } });
      assert.equal(response.status, 200);
      await response.text();
    }
    await server.stop();
    assert.deepEqual(server.urls(), []);
    for (const address of addresses) {
      const release = await listening(port, address);
      await release();
    }
  });
});
