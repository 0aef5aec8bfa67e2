import { isDeepStrictEqual } from 'node:util';
import { isCollection, isMap, isSeq, parseDocument, type Document, type ToStringOptions, type YAMLMap, type YAMLSeq } from 'yaml';
import { z } from 'zod';
import type { RuleConfig } from '../config/rules.js';
import { HuxiaoError } from '../errors.js';
import { isNormalized, type Point } from '../geometry/geometry.js';

/** Rule types the editor offers on a zone and on a line (count takes either). */
export const ZONE_RULE_TYPES = ['intrusion', 'dwell', 'return', 'crowd', 'object', 'parking', 'vendor', 'absence', 'count'] as const;
export const LINE_RULE_TYPES = ['line-cross', 'count'] as const;
export type EditorRuleType = (typeof ZONE_RULE_TYPES)[number] | (typeof LINE_RULE_TYPES)[number];

export interface MainParam {
  readonly key: string;
  readonly label: string;
  /** A number input, or one of these words. */
  readonly choices?: readonly string[];
  readonly fallback: number | string;
}

/**
 * The one parameter of each rule type the editor shows; everything else keeps the value in the file (or its default).
 * Keyed by the config's rule types: a rule of a type the editor does not offer (watchlist, minor-venue) has none.
 */
export const MAIN_PARAMS: Readonly<Partial<Record<RuleConfig['type'], MainParam>>> = {
  dwell: { key: 'seconds', label: 'seconds inside', fallback: 30 },
  return: { key: 'entries', label: 'entries', fallback: 3 },
  crowd: { key: 'minPeople', label: 'people', fallback: 4 },
  parking: { key: 'seconds', label: 'seconds parked', fallback: 120 },
  vendor: { key: 'seconds', label: 'seconds standing', fallback: 300 },
  absence: { key: 'seconds', label: 'seconds empty', fallback: 60 },
  'line-cross': { key: 'direction', label: 'direction', choices: ['both', 'left-to-right', 'right-to-left'], fallback: 'both' },
};

/** Keys every rule type has: kept when the editor changes a rule's type. */
const COMMON_RULE_KEYS = ['severity', 'enabled', 'schedule', 'cooldownSeconds', 'actions'];

/** Decimals of a normalized coordinate: 1/10000 of the picture is far below a click's precision. */
const DECIMALS = 4;

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');
const point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
const name = z.string().max(200).optional();

/** What the editor sends: the camera's whole drawing and its rules, points normalized to the picture (0..1). */
export const zoneEditSchema = z
  .object({
    version: z.string().max(128),
    zones: z.array(z.object({ id, name, polygon: z.array(point).max(100) }).strict()).max(64),
    lines: z.array(z.object({ id, name, a: point, b: point }).strict()).max(64),
    rules: z
      .array(
        z
          .object({
            id,
            type: z.enum([...ZONE_RULE_TYPES, 'line-cross']),
            zone: z.string().max(64).optional(),
            line: z.string().max(64).optional(),
            value: z.union([z.number(), z.string().max(32)]).optional(),
          })
          .strict(),
      )
      .max(256),
  })
  .strict();

export type ZoneEdit = z.output<typeof zoneEditSchema>;

const round = (value: number): number => Number(value.toFixed(DECIMALS));
const normalizedPoint = ([x, y]: readonly [number, number]): Point => [round(x), round(y)];

/** The file's points as normalized ones (pixel drawings divided by the detect size), for comparing with an edit. */
function asNormalized(points: readonly Point[], detect: { width: number; height: number }): Point[] {
  if (isNormalized(points)) return points.map(([x, y]) => [x, y]);
  return points.map(([x, y]) => [x / detect.width, y / detect.height]);
}

function samePoints(file: readonly Point[], edited: readonly Point[], detect: { width: number; height: number }): boolean {
  const current = asNormalized(file, detect);
  // Half a pixel at 4K: an untouched pixel drawing comes back from the browser within this.
  const tolerance = 0.5 / 3840;
  return current.length === edited.length && current.every(([x, y], i) => Math.abs(x - (edited[i]?.[0] ?? -1)) <= tolerance && Math.abs(y - (edited[i]?.[1] ?? -1)) <= tolerance);
}

function cameraNode(doc: Document, camera: string): YAMLMap {
  const cameras = doc.get('cameras', true);
  if (isSeq(cameras)) {
    for (const item of cameras.items) if (isMap(item) && item.get('id') === camera) return item;
  }
  throw new HuxiaoError('CAMERA_UNKNOWN', `camera "${camera}" is not in the config file`);
}

function seqAt(doc: Document, parent: YAMLMap | Document, key: string): YAMLSeq {
  const node = parent.get(key, true);
  if (isSeq(node)) return node;
  const seq = doc.createNode([]) as YAMLSeq;
  parent.set(key, seq);
  return seq;
}

function flowNode(doc: Document, value: unknown): ReturnType<Document['createNode']> {
  const node = doc.createNode(value);
  if (isCollection(node)) node.flow = true;
  return node;
}

function setName(item: YAMLMap, value: string | undefined): void {
  if (value === undefined) return;
  if (value.trim() === '') item.delete('name');
  else if (item.get('name') !== value) item.set('name', value.trim());
}

function pointsOf(item: YAMLMap, key: string): Point[] {
  const node = item.get(key, true);
  return isSeq(node) ? (node.toJSON() as Point[]) : [];
}

/** Removes the items whose id the edit no longer has, among those `owned` selects. */
function removeMissing(seq: YAMLSeq, keep: ReadonlySet<string>, owned: (item: YAMLMap) => boolean = () => true): void {
  seq.items = seq.items.filter((item) => !isMap(item) || !owned(item) || keep.has(String(item.get('id'))));
}

function findById(seq: YAMLSeq, wanted: string, owned: (item: YAMLMap) => boolean = () => true): YAMLMap | undefined {
  return seq.items.find((item): item is YAMLMap => isMap(item) && item.get('id') === wanted && owned(item));
}

/**
 * How the edited document is written: flow collections on one line however long (a polygon stays one line) and
 * without padding inside brackets, as `[[0, 0], [1, 0]]` is written in the example configs. The library rewrites
 * every flow collection in this one style; comments, key order and block layout stay.
 */
const OUTPUT: ToStringOptions = { flowCollectionPadding: false, lineWidth: 0 };

/** The config text with the edit applied; undefined when the edit changes no value (nothing to write or reload). */
export function editedText(text: string, target: EditTarget, edit: ZoneEdit): string | undefined {
  const doc = parseDocument(text);
  const before: unknown = doc.toJS();
  applyZoneEdit(doc, target, edit);
  if (isDeepStrictEqual(doc.toJS(), before)) return undefined;
  return doc.toString(OUTPUT);
}

export interface EditTarget {
  readonly camera: string;
  /** The camera's detect size, to compare the file's pixel drawings with the editor's normalized points. */
  readonly detect: { readonly width: number; readonly height: number };
}

/**
 * Applies the editor's drawing and rules of one camera to the config document, in place. Untouched zones, lines and
 * rules keep their nodes (and so their comments, order and style); a moved zone or line gets normalized points, as
 * Frigate saves them, so it survives a change of the detect resolution; what the editor removed is removed. Rules
 * of other cameras are never touched. The result still has to pass the config schema.
 */
export function applyZoneEdit(doc: Document, target: EditTarget, edit: ZoneEdit): void {
  const camera = cameraNode(doc, target.camera);
  const zones = seqAt(doc, camera, 'zones');
  removeMissing(zones, new Set(edit.zones.map((zone) => zone.id)));
  for (const zone of edit.zones) {
    const polygon = zone.polygon.map(normalizedPoint);
    const item = findById(zones, zone.id);
    if (item === undefined) {
      zones.add(flowNode(doc, { id: zone.id, ...(zone.name === undefined || zone.name.trim() === '' ? {} : { name: zone.name.trim() }), polygon }));
      continue;
    }
    if (!samePoints(pointsOf(item, 'polygon'), polygon, target.detect)) item.set('polygon', flowNode(doc, polygon));
    setName(item, zone.name);
  }

  const lines = seqAt(doc, camera, 'lines');
  removeMissing(lines, new Set(edit.lines.map((line) => line.id)));
  for (const line of edit.lines) {
    const [a, b] = [normalizedPoint(line.a), normalizedPoint(line.b)];
    const item = findById(lines, line.id);
    if (item === undefined) {
      lines.add(flowNode(doc, { id: line.id, ...(line.name === undefined || line.name.trim() === '' ? {} : { name: line.name.trim() }), a, b }));
      continue;
    }
    const ends = [item.get('a', true), item.get('b', true)].map((node) => (isSeq(node) ? (node.toJSON() as Point) : ([-1, -1] as Point)));
    if (!samePoints(ends, [a, b], target.detect)) {
      item.set('a', flowNode(doc, a));
      item.set('b', flowNode(doc, b));
    }
    setName(item, line.name);
  }

  applyRules(doc, target.camera, edit.rules);
}

function applyRules(doc: Document, cameraId: string, edited: ZoneEdit['rules']): void {
  const rules = seqAt(doc, doc, 'rules');
  const ours = (item: YAMLMap): boolean => item.get('camera') === cameraId;
  removeMissing(rules, new Set(edited.map((rule) => rule.id)), ours);
  for (const rule of edited) {
    const param = MAIN_PARAMS[rule.type];
    const target: Record<string, string> = rule.line !== undefined ? { line: rule.line } : rule.zone !== undefined ? { zone: rule.zone } : {};
    let item = findById(rules, rule.id, ours);
    if (item !== undefined && item.get('type') !== rule.type) {
      const kept = Object.fromEntries(COMMON_RULE_KEYS.filter((key) => item?.has(key)).map((key) => [key, item?.get(key)]));
      const replacement = flowNode(doc, { id: rule.id, type: rule.type, camera: cameraId, ...target, ...kept }) as YAMLMap;
      rules.items[rules.items.indexOf(item)] = replacement;
      item = replacement;
    }
    if (item === undefined) {
      const value = param === undefined ? {} : { [param.key]: rule.value ?? param.fallback };
      rules.add(flowNode(doc, { id: rule.id, type: rule.type, camera: cameraId, ...target, ...value }));
      continue;
    }
    for (const [key, value] of Object.entries(target)) if (item.get(key) !== value) item.set(key, value);
    if (rule.line !== undefined) item.delete('zone');
    if (rule.zone !== undefined && rule.line === undefined) item.delete('line');
    if (param !== undefined && rule.value !== undefined && item.get(param.key) !== rule.value) item.set(param.key, rule.value);
  }
}
