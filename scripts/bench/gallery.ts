import { mkdtemp, rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SHARES, GalleryIndex, type IndexShares } from '../../edge/identity/gallery-index.js';
import { Gallery } from '../../edge/gallery/gallery.js';
import { rootLogger } from '../../edge/log.js';
import { Store } from '../../edge/store/store.js';
import { percentile } from '../../edge/vision/latency-window.js';
import { defaultFacesDir, portraitEmbeddings, type PortraitEmbedding } from './lib/portrait-embeddings.js';
import { SyntheticFaces } from './lib/synthetic-faces.js';
import { machineLine } from './machine.js';

/**
 * Gallery search at district scale, on synthetic galleries shaped like the real embeddings (see lib/synthetic-faces.ts;
 * the real figures come from the shared portraits, embedded by the shipped models, on every run). One enrolled photo
 * per person; a genuine query is another photo of an enrolled person, a stranger query a photo of someone not
 * enrolled. For each size: latency p50 / p95 (wall; CPU time of the process beside it, less disturbed by other load),
 * top-1 agreement with an exact float32 search, and memory. The largest size also goes through a real encrypted store
 * (enrollment, start-up, Gallery.match). BENCH_GALLERY_SIZES (e.g. "1000,10000") and BENCH_GALLERY_QUERIES change
 * the sizes and the genuine query count.
 */
const SIZES = (process.env.BENCH_GALLERY_SIZES ?? '1000,10000,100000').split(',').map(Number);
const GENUINE = Number(process.env.BENCH_GALLERY_QUERIES ?? 1000);
const STRANGERS = Math.ceil(GENUINE / 3);
const EXACT_TIMED = 20;
/** Other stage shares measured beside the default, to show what a share buys in agreement and costs in time. */
const OTHER_SHARES: readonly IndexShares[] = [
  { stage1: 0.08, stage2: 0.005 },
  { stage1: 0.25, stage2: 0.02 },
];

process.stdout.write(`${machineLine()}\n`);
// The bench creates its own key file; the warning to back it up is for gateways.
rootLogger.level = 'error';

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const fixed = (value: number, digits = 2): string => value.toFixed(digits);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function dot(a: Float32Array, b: Float32Array, offset: number): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] ?? 0) * (b[offset + i] ?? 0);
  return sum;
}

function pairStats(label: string, vectors: readonly { person: number | string; vector: Float32Array }[]): string {
  const genuine: number[] = [];
  const impostor: number[] = [];
  vectors.forEach((a, i) => {
    vectors.slice(i + 1).forEach((b) => (a.person === b.person ? genuine : impostor).push(dot(a.vector, b.vector, 0)));
  });
  genuine.sort((x, y) => x - y);
  impostor.sort((x, y) => x - y);
  const p = (values: number[], q: number): string => fixed(percentile(values, q));
  return `${label}: same person p5 ${p(genuine, 0.05)} / median ${p(genuine, 0.5)}; different people median ${p(impostor, 0.5)} / p99 ${p(impostor, 0.99)} (${String(genuine.length)} + ${String(impostor.length)} pairs)`;
}

function realMean(real: readonly PortraitEmbedding[]): Float32Array {
  const mean = new Float32Array(real[0]?.vector.length ?? 0);
  for (const { vector } of real) vector.forEach((value, i) => (mean[i] = (mean[i] ?? 0) + value / real.length));
  return mean;
}

interface Query {
  readonly vector: Float32Array;
  /** Index of the enrolled person the photo is of; -1 for a stranger. */
  readonly truth: number;
}

interface Gallery1 {
  readonly vectors: Float32Array;
  readonly genuine: Query[];
  readonly strangers: Query[];
}

function syntheticGallery(faces: SyntheticFaces, size: number): Gallery1 {
  const d = faces.dimensions;
  const vectors = new Float32Array(size * d);
  const step = size / GENUINE;
  const asked = new Set(Array.from({ length: Math.min(GENUINE, size) }, (_, i) => Math.floor(i * step)));
  const genuine: Query[] = [];
  for (let p = 0; p < size; p += 1) {
    const identity = faces.identity();
    faces.photo(identity, vectors, p * d);
    if (asked.has(p)) genuine.push({ vector: faces.photo(identity), truth: p });
  }
  const strangers = Array.from({ length: STRANGERS }, () => ({ vector: faces.photo(faces.identity()), truth: -1 }));
  return { vectors, genuine, strangers };
}

function exactTop1(vectors: Float32Array, query: Float32Array): number {
  const d = query.length;
  let best = -Infinity;
  let at = -1;
  for (let p = 0, o = 0; o < vectors.length; p += 1, o += d) {
    const s = dot(query, vectors, o);
    if (s > best) {
      best = s;
      at = p;
    }
  }
  return at;
}

function int8Scan(vectors: Int8Array, scales: Float32Array, query: Float32Array): number {
  const d = query.length;
  let best = -Infinity;
  let at = -1;
  for (let p = 0; p < scales.length; p += 1) {
    let sum = 0;
    for (let i = 0, o = p * d; i < d; i += 1) sum += (query[i] ?? 0) * (vectors[o + i] ?? 0);
    if (sum * (scales[p] ?? 1) > best) {
      best = sum * (scales[p] ?? 1);
      at = p;
    }
  }
  return at;
}

interface Timing {
  readonly wall: number[];
  readonly cpu: number[];
}

function timed<T>(queries: readonly Query[], run: (query: Query) => T): { results: T[]; timing: Timing } {
  const wall: number[] = [];
  const cpu: number[] = [];
  const results = queries.map((query) => {
    const w = performance.now();
    const c = cpuMs();
    const result = run(query);
    cpu.push(cpuMs() - c);
    wall.push(performance.now() - w);
    return result;
  });
  return { results, timing: { wall, cpu } };
}

function figures(timing: Timing): [string, string, string, string] {
  const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
  const wall = sorted(timing.wall);
  const cpu = sorted(timing.cpu);
  return [fixed(percentile(wall, 0.5)), fixed(percentile(wall, 0.95)), fixed(percentile(cpu, 0.5)), fixed(percentile(cpu, 0.95))];
}

const COLUMNS = [8, 34, 8, 8, 8, 8, 22] as const;

function row(cells: readonly string[]): void {
  process.stdout.write(`${cells.map((cell, i) => (i < 2 || i >= COLUMNS.length ? cell.padEnd(COLUMNS[i] ?? 0) : cell.padStart(COLUMNS[i] ?? 0))).join('  ').trimEnd()}\n`);
}

/**
 * The same persons through a real encrypted store: enrolled with Gallery.enroll (sealed, audited, in batches of
 * 5,000 per transaction), then a fresh Gallery started on the file (key check, decrypt, templates, index), then
 * Gallery.match measured like the index, with the re-score from the sealed rows.
 */
async function throughStore(vectors: Float32Array, d: number, measureMatch: (search: (query: Float32Array) => string | undefined, memory: string) => void): Promise<void> {
  const size = vectors.length / d;
  const dir = await mkdtemp(join(tmpdir(), 'huxiao-bench-gallery-'));
  try {
    const path = join(dir, 'huxiao.db');
    const keyFile = join(dir, 'gallery.key');
    const store = new Store({ path });
    store.start();
    const writer = new Gallery({ store, keyFile });
    writer.start();
    const enrollStarted = performance.now();
    const batch = 5000;
    for (let from = 0; from < size; from += batch) {
      store.durable(() => {
        for (let p = from; p < Math.min(size, from + batch); p += 1) {
          writer.enroll({ id: String(p), list: 'students', name: `学生${String(p)}`, class: '三年级二班', consent: `consent-${String(p)}`, embeddings: [vectors.subarray(p * d, (p + 1) * d)], by: 'bench' });
        }
      });
    }
    const enrollS = (performance.now() - enrollStarted) / 1000;
    writer.stop();
    store.stop();
    const dbBytes = statSync(path).size;

    const reopened = new Store({ path });
    const startCpu = cpuMs();
    const startWall = performance.now();
    reopened.start();
    const gallery = new Gallery({ store: reopened, keyFile });
    gallery.start();
    const startS = (performance.now() - startWall) / 1000;
    const startCpuS = (cpuMs() - startCpu) / 1000;
    try {
      measureMatch((query) => gallery.match(query)[0]?.id, `${mib(gallery.indexBytes)} index`);
    } finally {
      gallery.stop();
      reopened.stop();
    }
    process.stdout.write(
      `${''.padEnd(10)}store of ${String(size)} encrypted persons: enrolled in ${fixed(enrollS, 1)} s, database ${mib(dbBytes)} (${String(Math.round(dbBytes / size))} B/person); ` +
        `Gallery.start() ${fixed(startS, 1)} s (cpu ${fixed(startCpuS, 1)} s: integrity check, key check, decrypt, templates, index); process RSS ${mib(process.memoryUsage().rss)} with the bench's own copies\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const real = await portraitEmbeddings(defaultFacesDir());
process.stdout.write(`${pairStats(`real portraits (${String(real.length)} faces)`, real)}\n`);
const faces = new SyntheticFaces(realMean(real), 20_250_101);
const sample = Array.from({ length: 300 }, (_, person) => {
  const identity = faces.identity();
  return [{ person, vector: faces.photo(identity) }, { person, vector: faces.photo(identity) }];
}).flat();
process.stdout.write(`${pairStats('synthetic         ', sample)}\n\n`);

row(['persons', 'method', 'p50 ms', 'p95 ms', 'cpu p50', 'cpu p95', 'top-1 = exact (g / s)', 'memory']);
for (const size of SIZES) {
  const made = performance.now();
  const gallery = syntheticGallery(faces, size);
  const madeMs = performance.now() - made;
  const d = faces.dimensions;
  const label = `${String(size / 1000)}k`;
  const queries = [...gallery.genuine, ...gallery.strangers];
  const exact = queries.map((query) => exactTop1(gallery.vectors, query.vector));
  const exactTiming = timed(queries.slice(0, EXACT_TIMED), (query) => exactTop1(gallery.vectors, query.vector)).timing;
  row([label, 'exact float32 scan', ...figures(exactTiming), 'reference', mib(size * d * 4)]);

  const build = (shares: IndexShares): { index: GalleryIndex; built: string } => {
    const buildCpu = cpuMs();
    const buildWall = performance.now();
    const index = new GalleryIndex(d, shares);
    index.bulk(size, () => {
      for (let p = 0; p < size; p += 1) index.set(String(p), gallery.vectors.subarray(p * d, (p + 1) * d));
    });
    return { index, built: `${fixed((performance.now() - buildWall) / 1000, 1)} s (cpu ${fixed((cpuMs() - buildCpu) / 1000, 1)} s)` };
  };
  const { index, built } = build(DEFAULT_SHARES);

  const scales = new Float32Array(size);
  const int8 = new Int8Array(size * d);
  for (let p = 0; p < size; p += 1) {
    let max = 0;
    for (let i = 0; i < d; i += 1) max = Math.max(max, Math.abs(gallery.vectors[p * d + i] ?? 0));
    scales[p] = max / 127;
    for (let i = 0; i < d; i += 1) int8[p * d + i] = Math.round((gallery.vectors[p * d + i] ?? 0) / (scales[p] ?? 1));
  }
  const int8Timing = timed(queries.slice(0, EXACT_TIMED), (query) => int8Scan(int8, scales, query.vector)).timing;
  row([label, 'int8 scan of every person', ...figures(int8Timing), '', mib(size * (d + 4))]);

  const g = gallery.genuine.length;
  const measure = (search: (query: Float32Array) => string | undefined, method: string, memory: string): void => {
    const { results, timing } = timed(queries, (query) => Number(search(query.vector) ?? -1));
    const agree = (from: number, to: number): string => {
      let same = 0;
      for (let q = from; q < to; q += 1) if (results[q] === exact[q]) same += 1;
      return fixed(same / (to - from), 3);
    };
    row([label, method, ...figures(timing), `${agree(0, g)} / ${agree(g, queries.length)}`, memory]);
  };
  const indexed = (searched: GalleryIndex, method: string): void => {
    measure((query) => searched.search(query, 1)[0]?.id, method, `${mib(searched.bytes)} (${String(Math.round(searched.bytes / size))} B/person)`);
  };
  indexed(index, 'index: codes 256 -> 1024 -> int8');
  if (size >= 10_000) {
    for (const shares of OTHER_SHARES) indexed(build(shares).index, `  same, keeping ${String(shares.stage1 * 100)}% -> ${String(shares.stage2 * 100)}%`);
  }
  if (size === SIZES.at(-1)) await throughStore(gallery.vectors, d, (search, memory) => {
    measure(search, 'Gallery.match: + float re-score', memory);
  });
  const rankOne = gallery.genuine.filter((query, q) => exact[q] === query.truth).length / g;
  process.stdout.write(
    `${''.padEnd(10)}default: keeps ${String(DEFAULT_SHARES.stage1 * 100)}% -> ${String(DEFAULT_SHARES.stage2 * 100)}% (at least 256 re-ranked); synthetic gallery made in ${fixed(madeMs / 1000, 1)} s; ` +
      `index built in ${built}; exact top-1 is the right person for ${fixed(rankOne, 3)} of ${String(g)} genuine queries (${String(STRANGERS)} strangers)\n`,
  );
}

