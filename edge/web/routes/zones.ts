import type { FastifyInstance } from 'fastify';
import type { RuleConfig } from '../../config/rules.js';
import { isHuxiaoError } from '../../errors.js';
import { moduleLogger } from '../../log.js';
import { isNormalized, type Point } from '../../geometry/geometry.js';
import { auditWeb } from '../audit.js';
import type { ConfigEditor, EditorView, SaveOutcome } from '../config-editor.js';
import { actorOf, sessionOf } from '../guard.js';
import { html, Html, page } from '../html.js';
import type { PageContext } from '../page-context.js';
import { LINE_RULE_TYPES, MAIN_PARAMS, ZONE_RULE_TYPES, zoneEditSchema } from '../zone-edit.js';
import { findCamera, notFound } from './cameras.js';

const log = moduleLogger('web-zones');

/** What zones.js gets: the file's drawing of the camera, normalized to the picture, and its rules. */
export interface EditorData {
  readonly camera: string;
  readonly version: string;
  readonly readOnly: boolean;
  readonly zones: readonly { id: string; name: string | undefined; polygon: Point[] }[];
  readonly lines: readonly { id: string; name: string | undefined; a: Point; b: Point }[];
  readonly rules: readonly { id: string; type: string; zone?: string; line?: string; value?: number | string }[];
  readonly ruleTypes: { readonly zone: readonly string[]; readonly line: readonly string[] };
  readonly params: typeof MAIN_PARAMS;
}

function normalized(points: readonly Point[], detect: { width: number; height: number }): Point[] {
  return isNormalized(points) ? points.map(([x, y]) => [x, y]) : points.map(([x, y]) => [x / detect.width, y / detect.height]);
}

function ruleData(rule: RuleConfig): EditorData['rules'][number] {
  const param = MAIN_PARAMS[rule.type];
  const value = param === undefined ? undefined : (rule as unknown as Record<string, unknown>)[param.key];
  return {
    id: rule.id,
    type: rule.type,
    ...('zone' in rule && rule.zone !== undefined ? { zone: rule.zone } : {}),
    ...('line' in rule && rule.line !== undefined ? { line: rule.line } : {}),
    ...(typeof value === 'number' || typeof value === 'string' ? { value } : {}),
  };
}

export function editorData(view: EditorView, readOnly: boolean): EditorData {
  const { camera } = view;
  return {
    camera: camera.id,
    version: view.version,
    readOnly,
    zones: camera.zones.map((zone) => ({ id: zone.id, name: zone.name, polygon: normalized(zone.polygon, camera.detect) })),
    lines: camera.lines.map((line) => {
      const [a, b] = normalized([line.a, line.b], camera.detect) as [Point, Point];
      return { id: line.id, name: line.name, a, b };
    }),
    rules: view.rules.map(ruleData),
    ruleTypes: { zone: ZONE_RULE_TYPES, line: LINE_RULE_TYPES },
    params: MAIN_PARAMS,
  };
}

/** JSON inside a script element: "<" escaped so no text in it can close the element. */
function jsonScript(id: string, value: unknown): Html {
  return Html.trusted(`<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`);
}

/**
 * GET /cameras/:id/zones, the editor (the latest picture with the drawing over it), and PUT /api/cameras/:id/zones,
 * which saves the whole drawing of the camera with its rules. Without a config file (a gateway started from a config
 * object) the editor shows the drawing read-only.
 */
export function zoneRoutes(app: FastifyInstance, context: PageContext, editor: ConfigEditor | undefined): void {
  app.get<{ Params: { id: string } }>('/cameras/:id/zones', async (request, reply) => {
    const session = sessionOf(request);
    const worker = findCamera(context, request.params.id);
    if (worker === undefined) return notFound(reply, `camera "${request.params.id}"`);
    const view = editor === undefined ? { version: '', camera: worker.camera, rules: [] } : await editor.view(worker.id);
    if (view === undefined) return notFound(reply, `camera "${worker.id}" in ${editor?.path ?? 'the config file'}`);
    const { detect } = view.camera;
    const body = html`
<p><a href="/cameras">← Cameras</a> · <a href="/cameras/${worker.id}/live">Live view</a></p>
${editor === undefined ? html`<p class="problem">This gateway was started without a config file: the drawing is shown, not editable.</p>` : html`<p class="note">Tap the picture to add corners; drag a corner to move it. Saved to ${editor.path} and applied without a restart.</p>`}
<div class="editor">
  <div class="stage">
    <img id="picture" src="/cameras/${worker.id}/frame.jpg" alt="latest picture of ${worker.id}" width="${detect.width}" height="${detect.height}">
    <svg id="overlay" viewBox="0 0 1 1" preserveAspectRatio="none" aria-label="zones and lines"></svg>
  </div>
  <div class="panel">
    <p class="tools"><button type="button" id="new-zone">New zone</button> <button type="button" id="new-line">New line</button> <button type="button" id="refresh-picture">New picture</button></p>
    <div id="shapes"></div>
    <p><button type="button" id="save" class="primary">Save and apply</button></p>
    <div id="result" aria-live="polite"></div>
  </div>
</div>
${jsonScript('editor-data', editorData(view, editor === undefined))}`;
    return reply.type('text/html').send(page({ title: `Zones: ${worker.camera.name ?? worker.id}`, section: 'cameras', gateway: context.gatewayId, csrf: session.csrf, user: session.user, scripts: ['zones.js'] }, body));
  });

  app.put<{ Params: { id: string } }>('/api/cameras/:id/zones', async (request, reply) => {
    const actor = actorOf(sessionOf(request));
    const camera = request.params.id;
    if (editor === undefined) return reply.code(409).send({ problems: [{ path: '(file)', message: 'this gateway was started without a config file; nothing can be saved' }] });
    const parsed = zoneEditSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({ problems: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(request)', message: issue.message })) });
    }
    const edit = parsed.data;
    const summary = `camera ${camera}: ${String(edit.zones.length)} zones, ${String(edit.lines.length)} lines, ${String(edit.rules.length)} rules`;
    let outcome: SaveOutcome;
    try {
      outcome = await editor.save(camera, edit);
    } catch (error) {
      const code = isHuxiaoError(error) ? error.code : 'UNEXPECTED';
      const message = error instanceof Error ? error.message : String(error);
      log.error({ err: error, camera }, 'saving zones from the page failed');
      auditWeb(context.runtime.store, { command: 'web.zones', actor, outcome: 'error', code, detail: `${summary}; ${message}` });
      return reply.code(500).send({ problems: [{ path: '(file)', message }] });
    }
    if (!outcome.ok) {
      auditWeb(context.runtime.store, { command: 'web.zones', actor, outcome: 'error', code: 'CONFIG_INVALID', detail: `${summary}; refused: ${outcome.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` });
      return reply.code(outcome.status).send({ problems: outcome.problems });
    }
    auditWeb(context.runtime.store, { command: 'web.zones', actor, outcome: 'ok', detail: summary });
    log.info({ camera, actor, applied: outcome.reload.applied }, 'zones and rules saved from the page');
    const view = await editor.view(camera);
    return { ...outcome.reload, ...(view === undefined ? {} : { view: editorData(view, false) }) };
  });
}
