import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { STYLE } from '../style.js';

/** The page's browser modules, compiled by tsc from edge/web/assets/ next to this file's directory. */
const MODULES = new Set(['common', 'cameras', 'live', 'zones', 'alerts', 'speaker', 'gallery']);
const MODULES_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

/**
 * JSMpeg (MPEG-1 decoder and player) as the plain browser script @cycjimmy/jsmpeg-player ships; the package exports
 * only its CommonJS and ESM entries, so the UMD build is found beside the CommonJS one.
 */
function jsmpegPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@cycjimmy/jsmpeg-player')), 'jsmpeg-player.umd.min.js');
}

/** GET /assets/*: the style sheet, the page's modules and the JSMpeg player; public, like any page's code. */
export function assetRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Promise<Buffer>>();
  const cached = (key: string, load: () => Promise<Buffer>): Promise<Buffer> => {
    let entry = cache.get(key);
    if (entry === undefined) {
      entry = load();
      cache.set(key, entry);
      entry.catch(() => cache.delete(key));
    }
    return entry;
  };

  app.get('/assets/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(STYLE));

  app.get('/assets/jsmpeg.js', async (_request, reply) => {
    const script = await cached('jsmpeg', () => readFile(jsmpegPath()));
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'max-age=86400').send(script);
  });

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const name = request.params.name.replace(/\.js$/, '');
    if (!request.params.name.endsWith('.js') || !MODULES.has(name)) return reply.code(404).type('text/plain').send('no such asset');
    const script = await cached(name, () => readFile(join(MODULES_DIR, `${name}.js`)));
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script);
  });
}
