import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

/**
 * The layer of each folder of edge/ (and of each file directly in edge/), lowest first; docs/development.md shows the
 * same table. A module may import its own layer or a lower one, and folders must not import each other in a circle.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'log.ts', 'version.ts', 'clock', 'geometry', 'process'],
  ['config'],
  ['ingest', 'vision', 'track', 'rules', 'identity'],
  ['camera-worker.ts', 'perception.ts', 'perception-replay.ts'],
  ['alerts', 'store', 'gallery'],
  ['uplink', 'actions', 'web', 'ops'],
  ['controller.ts', 'alert-actions.ts', 'telemetry.ts', 'phases.ts', 'gateway-identity.ts', 'cli'],
];

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const edge = join(root, 'edge');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [relative(edge, path).split('\\').join('/')] : [];
  });
}

/** The folder of a module, or the file name for a module directly in edge/. */
function unitOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash);
}

function layerOf(file: string): number {
  const unit = unitOf(file);
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  assert.notEqual(layer, -1, `edge/${file}: "${unit}" has no layer in the table of test/unit/layers.test.ts and docs/development.md`);
  return layer;
}

/** Relative imports of a module (static, dynamic and type-only), as paths of .ts files under edge/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(edge, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.[^']+)'/gm)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts')).filter((target) => !target.startsWith('..'));
}

/** Every folder cycle, each named once from its alphabetically first folder. */
function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const found = new Set<string>();
  const walk = (start: string, at: string, path: readonly string[]): void => {
    for (const next of edges.get(at) ?? []) {
      if (next === start) found.add(`cycle ${[...path, start].join(' -> ')}`);
      else if (next > start && !path.includes(next)) walk(start, next, [...path, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) walk(start, start, [start]);
  return [...found].sort();
}

function problems(): string[] {
  const upward: string[] = [];
  const edges = new Map<string, Set<string>>();
  for (const file of sources(edge)) {
    for (const target of importsOf(file)) {
      if (layerOf(target) > layerOf(file)) upward.push(`${file} -> ${target}`);
      const from = unitOf(file);
      const to = unitOf(target);
      if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  return [...new Set(upward)].sort().concat(cycles(edges));
}

it('no module imports a higher layer, and no folders import each other in a circle', () => {
  const found = problems();
  assert.deepEqual(found, [], `layer problems:\n${found.join('\n')}`);
});

it('docs/development.md shows the same layer table', () => {
  const doc = readFileSync(join(root, 'docs/development.md'), 'utf8');
  const table = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((row) => ({ layer: Number(row[1]), units: (row[2] ?? '').split(',').map((unit) => unit.trim().replace(/`/g, '')) }));
  assert.deepEqual(
    table,
    LAYERS.map((units, layer) => ({ layer, units: [...units] })),
  );
});
