/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { api, el } from './common.js';

/**
 * The zone editor: the camera's latest picture with its zones and lines over it as SVG. Tapping the picture adds a
 * corner to the zone being drawn (or the ends of a new line), dragging a corner moves it; each zone or line carries
 * its rules with their main parameter. Points are kept normalized to the picture (0..1); the server writes them so.
 */

type Point = [number, number];
interface Zone { id: string; name: string | undefined; polygon: Point[] }
interface Line { id: string; name: string | undefined; a: Point | undefined; b: Point | undefined }
interface Rule { id: string; type: string; zone?: string; line?: string; value?: number | string }
interface MainParam { key: string; label: string; choices?: string[]; fallback: number | string }
interface EditorData {
  camera: string;
  version: string;
  readOnly: boolean;
  zones: Zone[];
  lines: { id: string; name: string | undefined; a: Point; b: Point }[];
  rules: Rule[];
  ruleTypes: { zone: string[]; line: string[] };
  params: Record<string, MainParam | undefined>;
}
interface SaveAnswer {
  applied?: string[];
  restartRequired?: string[];
  problems?: { path: string; message: string }[];
  view?: EditorData;
}
type Shape = { kind: 'zone'; index: number } | { kind: 'line'; index: number };

const COLOURS = ['#ffd400', '#00e5ff', '#ff4fd8', '#7cff4f', '#ff8a00', '#b388ff'];
const LINE_COLOUR = '#ff2d2d';
const SVG = 'http://www.w3.org/2000/svg';

const dataElement = document.getElementById('editor-data');
const overlay = document.querySelector<SVGSVGElement>('svg#overlay');
const picture = document.querySelector<HTMLImageElement>('img#picture');
const shapesPanel = document.getElementById('shapes');
const result = document.getElementById('result');

let data = JSON.parse(dataElement?.textContent ?? '{}') as EditorData;
let zones: Zone[] = [];
let lines: Line[] = [];
let rules: Rule[] = [];
let selected: Shape | undefined;
/** The shape taps add points to, while it is being drawn. */
let drawing: Shape | undefined;
let dragging: { shape: Shape; point: number } | undefined;

function load(from: EditorData): void {
  data = from;
  zones = from.zones.map((zone) => ({ ...zone, polygon: zone.polygon.map(([x, y]) => [x, y]) }));
  lines = from.lines.map((line) => ({ ...line }));
  rules = from.rules.map((rule) => ({ ...rule }));
  selected = undefined;
  drawing = undefined;
}

const size = (): { width: number; height: number } => ({ width: picture?.width ?? 1, height: picture?.height ?? 1 });
const colourOf = (index: number): string => COLOURS[index % COLOURS.length] ?? '#ffd400';
const isSelected = (shape: Shape): boolean => selected?.kind === shape.kind && selected.index === shape.index;

function uniqueId(prefix: string, taken: readonly string[]): string {
  for (let n = 1; ; n++) if (!taken.includes(`${prefix}-${String(n)}`)) return `${prefix}-${String(n)}`;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function pointerPoint(event: PointerEvent): Point {
  const rect = overlay?.getBoundingClientRect() ?? new DOMRect(0, 0, 1, 1);
  const clamp = (value: number): number => Math.min(1, Math.max(0, value));
  return [clamp((event.clientX - rect.left) / rect.width), clamp((event.clientY - rect.top) / rect.height)];
}

function pointsOf(shape: Shape): (Point | undefined)[] {
  if (shape.kind === 'zone') return zones[shape.index]?.polygon ?? [];
  const line = lines[shape.index];
  return line === undefined ? [] : [line.a, line.b];
}

function setPoint(shape: Shape, index: number, point: Point): void {
  if (shape.kind === 'zone') {
    const zone = zones[shape.index];
    if (zone !== undefined) zone.polygon[index] = point;
    return;
  }
  const line = lines[shape.index];
  if (line === undefined) return;
  if (index === 0) line.a = point;
  else line.b = point;
}

/** Redraws the overlay: polygons, lines with an arrow at b, and a handle on every point of the selected shape. */
function drawOverlay(): void {
  if (overlay === null) return;
  const { width, height } = size();
  const scale = width / Math.max(1, overlay.getBoundingClientRect().width);
  const px = ([x, y]: Point): string => `${(x * width).toFixed(1)},${(y * height).toFixed(1)}`;
  overlay.setAttribute('viewBox', `0 0 ${String(width)} ${String(height)}`);
  overlay.replaceChildren();
  const handles: SVGElement[] = [];
  const addHandles = (shape: Shape, colour: string): void => {
    pointsOf(shape).forEach((point, index) => {
      if (point === undefined) return;
      const handle = svg('circle', { cx: point[0] * width, cy: point[1] * height, r: 9 * scale, fill: colour, stroke: '#000', 'stroke-width': 2 * scale, class: 'handle', 'data-point': index });
      handle.addEventListener('pointerdown', (event) => {
        event.stopPropagation();
        event.preventDefault();
        dragging = { shape, point: index };
        overlay.setPointerCapture(event.pointerId);
      });
      handles.push(handle);
    });
  };
  zones.forEach((zone, index) => {
    const colour = colourOf(index);
    const shape: Shape = { kind: 'zone', index };
    const points = zone.polygon.map(px).join(' ');
    const outline = zone.polygon.length >= 3
      ? svg('polygon', { points, fill: colour, 'fill-opacity': isSelected(shape) ? 0.35 : 0.2, stroke: colour, 'stroke-width': (isSelected(shape) ? 4 : 2) * scale })
      : svg('polyline', { points, fill: 'none', stroke: colour, 'stroke-width': 3 * scale, 'stroke-dasharray': `${String(8 * scale)} ${String(5 * scale)}` });
    outline.addEventListener('pointerdown', (event) => {
      if (drawing !== undefined) return;
      event.stopPropagation();
      select(shape);
    });
    overlay.append(outline);
    const first = zone.polygon[0];
    if (first !== undefined) {
      const label = svg('text', { x: first[0] * width + 6 * scale, y: first[1] * height - 6 * scale, fill: colour, stroke: '#000', 'stroke-width': 3 * scale, 'paint-order': 'stroke', 'font-size': 16 * scale, 'font-weight': 'bold', 'font-family': 'sans-serif' });
      label.textContent = zone.name ?? zone.id;
      overlay.append(label);
    }
    if (isSelected(shape)) addHandles(shape, colour);
  });
  lines.forEach((line, index) => {
    const shape: Shape = { kind: 'line', index };
    if (line.a !== undefined && line.b !== undefined) {
      const [ax, ay] = [line.a[0] * width, line.a[1] * height];
      const [bx, by] = [line.b[0] * width, line.b[1] * height];
      const angle = Math.atan2(by - ay, bx - ax);
      const head = (turn: number): string => `${(bx - 16 * scale * Math.cos(angle + turn)).toFixed(1)},${(by - 16 * scale * Math.sin(angle + turn)).toFixed(1)}`;
      const segment = svg('line', { x1: ax, y1: ay, x2: bx, y2: by, stroke: LINE_COLOUR, 'stroke-width': (isSelected(shape) ? 6 : 4) * scale });
      segment.addEventListener('pointerdown', (event) => {
        if (drawing !== undefined) return;
        event.stopPropagation();
        select(shape);
      });
      overlay.append(segment, svg('polygon', { points: `${px(line.b)} ${head(0.4)} ${head(-0.4)}`, fill: LINE_COLOUR }));
    }
    if (isSelected(shape)) addHandles(shape, LINE_COLOUR);
  });
  overlay.append(...handles);
}

function select(shape: Shape | undefined): void {
  selected = shape;
  if (drawing !== undefined && (shape === undefined || shape.kind !== drawing.kind || shape.index !== drawing.index)) drawing = undefined;
  render();
}

overlay?.addEventListener('pointerdown', (event) => {
  if (data.readOnly || drawing === undefined) return;
  const point = pointerPoint(event);
  if (drawing.kind === 'zone') zones[drawing.index]?.polygon.push(point);
  else {
    const line = lines[drawing.index];
    if (line === undefined) return;
    if (line.a === undefined) line.a = point;
    else {
      line.b = point;
      drawing = undefined;
      render();
      return;
    }
  }
  drawOverlay();
  renderHint();
});
overlay?.addEventListener('pointermove', (event) => {
  if (dragging === undefined) return;
  setPoint(dragging.shape, dragging.point, pointerPoint(event));
  drawOverlay();
});
const endDrag = (): void => {
  dragging = undefined;
};
overlay?.addEventListener('pointerup', endDrag);
overlay?.addEventListener('pointercancel', endDrag);

function renderHint(): void {
  const hint = document.getElementById('drawing-hint');
  if (hint === null) return;
  if (drawing === undefined) hint.textContent = '';
  else if (drawing.kind === 'zone') hint.textContent = `Tap the picture to add corners (${String(zones[drawing.index]?.polygon.length ?? 0)} so far, at least 3), then Done.`;
  else hint.textContent = lines[drawing.index]?.a === undefined ? 'Tap where the line starts.' : 'Tap where the line ends.';
}

function ruleRow(rule: Rule): HTMLLIElement {
  const param = data.params[rule.type];
  const row = el('li', { class: 'rule' }, el('strong', {}, rule.type));
  const id = el('input', { class: 'rule-id', value: rule.id, 'aria-label': 'rule id', maxlength: '64' });
  id.addEventListener('input', () => {
    rule.id = id.value.trim();
  });
  row.append(id);
  if (param !== undefined) {
    const value = rule.value ?? param.fallback;
    const input = param.choices === undefined
      ? el('input', { class: 'param', type: 'number', min: '0', step: 'any', value: String(value), 'aria-label': param.label })
      : el('select', { class: 'param', 'aria-label': param.label }, ...param.choices.map((choice) => el('option', choice === value ? { value: choice, selected: '' } : { value: choice }, choice)));
    input.addEventListener('input', () => {
      rule.value = param.choices === undefined ? Number(input.value) : input.value;
    });
    row.append(el('label', { class: 'inline' }, `${param.label} `, input));
  }
  const remove = el('button', { type: 'button', class: 'remove-rule' }, 'Remove rule');
  remove.addEventListener('click', () => {
    rules = rules.filter((candidate) => candidate !== rule);
    render();
  });
  row.append(remove);
  return row;
}

function shapeCard(shape: Shape): HTMLElement {
  const item = shape.kind === 'zone' ? zones[shape.index] : lines[shape.index];
  if (item === undefined) return el('div');
  const colour = shape.kind === 'zone' ? colourOf(shape.index) : LINE_COLOUR;
  const owned = (rule: Rule): boolean => (shape.kind === 'zone' ? rule.zone === item.id && rule.line === undefined : rule.line === item.id);
  const card = el('section', { class: `shape${isSelected(shape) ? ' selected' : ''}`, 'data-shape': `${shape.kind}:${item.id}` });
  card.style.setProperty('--colour', colour);
  const id = el('input', { class: 'id', value: item.id, 'aria-label': `${shape.kind} id`, maxlength: '64' });
  id.addEventListener('change', () => {
    const next = id.value.trim();
    for (const rule of rules) {
      if (shape.kind === 'zone' && rule.zone === item.id) rule.zone = next;
      if (shape.kind === 'line' && rule.line === item.id) rule.line = next;
    }
    item.id = next;
    render();
  });
  const name = el('input', { class: 'name', value: item.name ?? '', placeholder: 'name (optional)', 'aria-label': `${shape.kind} name`, maxlength: '200' });
  name.addEventListener('input', () => {
    item.name = name.value;
    drawOverlay();
  });
  const pick = el('button', { type: 'button', class: 'select' }, isSelected(shape) ? 'Selected' : 'Select');
  pick.addEventListener('click', () => {
    select(shape);
  });
  const isDrawing = drawing?.kind === shape.kind && drawing.index === shape.index;
  const draw = el('button', { type: 'button', class: 'draw' }, isDrawing ? 'Done' : shape.kind === 'zone' ? 'Add corners' : 'Redraw');
  draw.addEventListener('click', () => {
    if (isDrawing) drawing = undefined;
    else {
      if (shape.kind === 'line') Object.assign(item, { a: undefined, b: undefined });
      selected = shape;
      drawing = shape;
    }
    render();
  });
  const remove = el('button', { type: 'button', class: 'delete' }, `Delete ${shape.kind}`);
  remove.addEventListener('click', () => {
    rules = rules.filter((rule) => !owned(rule));
    if (shape.kind === 'zone') zones.splice(shape.index, 1);
    else lines.splice(shape.index, 1);
    select(undefined);
  });
  const types = shape.kind === 'zone' ? data.ruleTypes.zone : data.ruleTypes.line;
  const newType = el('select', { class: 'new-rule', 'aria-label': 'rule type to add' }, ...types.map((type) => el('option', { value: type }, type)));
  const add = el('button', { type: 'button', class: 'add-rule' }, 'Add rule');
  add.addEventListener('click', () => {
    const type = newType.value;
    const param = data.params[type];
    const taken = rules.map((rule) => rule.id);
    const base = `${item.id}-${type}`;
    rules.push({ id: taken.includes(base) ? uniqueId(base, taken) : base, type, ...(shape.kind === 'zone' ? { zone: item.id } : { line: item.id }), ...(param === undefined ? {} : { value: param.fallback }) });
    render();
  });
  card.append(
    el('header', {}, el('strong', {}, shape.kind), id, name),
    el('ul', { class: 'rules' }, ...rules.filter(owned).map(ruleRow)),
    el('p', { class: 'tools' }, newType, add),
    el('p', { class: 'tools' }, pick, draw, remove),
  );
  return card;
}

function render(): void {
  drawOverlay();
  if (shapesPanel === null) return;
  shapesPanel.replaceChildren(
    el('p', { id: 'drawing-hint', class: 'note' }),
    ...zones.map((_zone, index) => shapeCard({ kind: 'zone', index })),
    ...lines.map((_line, index) => shapeCard({ kind: 'line', index })),
  );
  renderHint();
}

function showProblems(title: string, problems: readonly { path: string; message: string }[]): void {
  result?.replaceChildren(el('p', { class: 'problem' }, title), el('ul', { class: 'problems' }, ...problems.map((problem) => el('li', {}, `${problem.path}: ${problem.message}`))));
}

async function save(): Promise<void> {
  const body = {
    version: data.version,
    zones: zones.map((zone) => ({ id: zone.id, ...(zone.name === undefined ? {} : { name: zone.name }), polygon: zone.polygon })),
    lines: lines.flatMap((line) => (line.a === undefined || line.b === undefined ? [] : [{ id: line.id, ...(line.name === undefined ? {} : { name: line.name }), a: line.a, b: line.b }])),
    rules,
  };
  result?.replaceChildren(el('p', { class: 'note' }, 'Saving…'));
  const answer = await api<SaveAnswer>('PUT', `/api/cameras/${encodeURIComponent(data.camera)}/zones`, body);
  if (!answer.ok) {
    showProblems(answer.status === 409 ? 'Not saved: the file changed meanwhile.' : 'Not saved; the file is unchanged:', answer.data.problems ?? [{ path: '(request)', message: `refused (${String(answer.status)})` }]);
    return;
  }
  if (answer.data.view !== undefined) load(answer.data.view);
  render();
  const restart = answer.data.restartRequired ?? [];
  result?.replaceChildren(el('p', { class: 'saved' }, `Saved and applied${(answer.data.applied ?? []).length === 0 ? ' (nothing changed)' : ''}.${restart.length === 0 ? '' : ` Restart needed for: ${restart.join(', ')}.`}`));
}

document.getElementById('new-zone')?.addEventListener('click', () => {
  zones.push({ id: uniqueId('zone', [...zones, ...lines].map((shape) => shape.id)), name: undefined, polygon: [] });
  selected = { kind: 'zone', index: zones.length - 1 };
  drawing = selected;
  render();
});
document.getElementById('new-line')?.addEventListener('click', () => {
  lines.push({ id: uniqueId('line', [...zones, ...lines].map((shape) => shape.id)), name: undefined, a: undefined, b: undefined });
  selected = { kind: 'line', index: lines.length - 1 };
  drawing = selected;
  render();
});
document.getElementById('refresh-picture')?.addEventListener('click', () => {
  if (picture !== null) picture.src = `/cameras/${encodeURIComponent(data.camera)}/frame.jpg?at=${String(Date.now())}`;
});
document.getElementById('save')?.addEventListener('click', () => {
  void save();
});
window.addEventListener('resize', drawOverlay);
picture?.addEventListener('load', drawOverlay);

load(data);
if (data.readOnly) for (const id of ['new-zone', 'new-line', 'save']) document.getElementById(id)?.setAttribute('disabled', '');
render();
