import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../../edge/config/load.js';
import { Controller } from '../../../edge/controller.js';
import type { RuleHit } from '../../../edge/rules/hit.js';
import { writePasswordFile } from '../../../edge/web/password.js';
import { artifactPath, launchBrowser, type Browser } from '../../helpers/browser.js';
import { captureLogs } from '../../helpers/logs.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { groupPhotoPath, portraitPath } from '../../helpers/face-set.js';
import { decodeJpeg, meanAbsDiff } from '../../helpers/pictures.js';
import { freePort } from '../../helpers/ports.js';
import { startRtspServer } from '../../helpers/rtsp-server.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

const PASSWORD = 'correct horse battery';
const USER = '李老师';

/** The config as an installer left it, comments and all; the editor must keep them. */
function configText(options: { url: string; store: string; audio: string; device: string; port: number; passwordFile: string; keyFile: string }): string {
  return `# Gateway at the plaza, for the local page test.
version: 1
gateway: { id: gw-page, timezone: UTC }
cameras:
  # People walk along the walkway all the time.
  - id: plaza
    name: 东门广场
    url: ${JSON.stringify(options.url)}
    detect: { width: 768, height: 576, fps: 5 }
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 }
    zones:
      # The walkway between the parking and the lawn.
      - { id: walkway, polygon: [[0, 200], [768, 250], [768, 420], [0, 260]] }
rules:
  # Someone on the walkway: the alert list has something to acknowledge.
  - { id: walkway-intrusion, type: intrusion, camera: plaza, zone: walkway, cooldownSeconds: 600 }
storage: { dir: ${JSON.stringify(options.store)} }
audio: { device: ${JSON.stringify(options.device)}, chime: { enabled: false }, cache: { dir: ${JSON.stringify(options.audio)} } }
web: { host: 127.0.0.1, port: ${String(options.port)}, passwordFile: ${JSON.stringify(options.passwordFile)} }
identity: { keyFile: ${JSON.stringify(options.keyFile)} }
`;
}

/** A POST to the page from another loopback address, so its login attempts are counted apart from the browser's. */
function postFrom(localAddress: string, port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: text });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** The HTTP status a websocket upgrade request gets (101 when it is accepted). */
function upgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on('error', reject);
    request.end();
  });
}

/** pids of this process's ffmpeg children that encode MPEG-1 (the live view), from ps. */
function liveEncoders(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('ffmpeg') && line.includes('mpeg1video')).map((line) => Number.parseInt(line.trim(), 10));
}

async function decodePng(png: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
}

/**
 * The local page in Debian's Chromium against a running gateway: the RTSP test camera playing the plaza footage,
 * ffmpeg, the committed detector, SQLite on disk, the config file on disk with its comments, espeak-ng and aplay into
 * the sound sink. Screenshots of every page go to .cache/artifacts/web/.
 */
describe('the local page in a real browser', { timeout: 300_000 }, () => {
  /** Undone in reverse order after the tests, whatever part of the set-up ran. */
  const cleanup: (() => Promise<unknown>)[] = [];
  let controller: Controller;
  let browser: Browser;
  let page: Page;
  let base: string;
  let port: number;
  let configPath: string;
  const hits: RuleHit[] = [];
  const logs = captureLogs();

  before(async () => {
    const tmp = await tempDir('web-page');
    cleanup.push(() => tmp.remove());
    const camera = await startRtspServer();
    cleanup.push(() => camera.stop());
    port = await freePort();
    base = `http://127.0.0.1:${String(port)}`;
    const passwordFile = join(tmp.path, 'web-password');
    await writePasswordFile(passwordFile, PASSWORD);
    const sink = soundSink(tmp.path, 'speaker');
    configPath = join(tmp.path, 'config.yaml');
    writeFileSync(configPath, configText({ url: camera.url(), store: join(tmp.path, 'store'), audio: join(tmp.path, 'audio'), device: sink.device, port, passwordFile, keyFile: join(tmp.path, 'gallery.key') }), { mode: 0o640 });
    controller = new Controller({
      config: loadConfig(configPath),
      configPath,
      onResult: (result) => {
        for (const event of result.events) if (event.kind === 'hit') hits.push(event);
      },
    });
    cleanup.push(() => controller.stop());
    await controller.start();
    browser = await launchBrowser();
    cleanup.push(() => browser.close());
    page = await browser.context.newPage();
  });

  after(async () => {
    for (const undo of cleanup.reverse()) await undo();
    logs.restore();
  });

  it('refuses a wrong password, then logs in with the right one', async () => {
    await page.goto(`${base}/cameras`);
    assert.match(page.url(), /\/login\?next=%2Fcameras$/, 'a page without a session sends to the login page');
    await page.fill('input[name=user]', USER);
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    assert.equal(await page.textContent('.problem'), 'Wrong password.');
    await shot(page, 'login-refused');

    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/cameras`);
    const cookie = (await browser.context.cookies()).find((c) => c.name === 'huxiao_session');
    assert.ok(cookie !== undefined);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    await page.waitForFunction(() => document.querySelector('[data-camera="plaza"] [data-field="state"]')?.textContent === 'streaming');
    await page.waitForFunction(() => /^\d+\.\d$/.test(document.querySelector('[data-camera="plaza"] [data-field="detect-rate"]')?.textContent ?? ''));
    await shot(page, 'cameras');
  });

  it('answers 429 after web.loginAttemptsPerMinute tries from one address, even with the right password', async () => {
    const form = (password: string): string => new URLSearchParams({ user: 'someone', password }).toString();
    for (let i = 0; i < 5; i++) assert.equal((await postFrom('127.0.0.2', port, '/login', form(`guess ${String(i)}`))).status, 401);
    const limited = await postFrom('127.0.0.2', port, '/login', form(PASSWORD));
    assert.equal(limited.status, 429);
    assert.match(limited.body, /Too many login attempts/);
    assert.equal((await postFrom('127.0.0.3', port, '/login', form(PASSWORD))).status, 303, 'another address is not limited');
  });

  it('refuses a change without a session (401) and without the CSRF token (403)', async () => {
    const session = (await browser.context.cookies()).find((c) => c.name === 'huxiao_session')?.value ?? '';
    const csrf = await page.getAttribute('meta[name=csrf-token]', 'content');
    const alertUrl = `${base}/api/alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV/ack`;
    assert.equal((await fetch(alertUrl, { method: 'POST' })).status, 401);
    assert.equal((await fetch(alertUrl, { method: 'POST', headers: { cookie: `huxiao_session=${session}` } })).status, 403);
    assert.equal((await fetch(alertUrl, { method: 'POST', headers: { cookie: `huxiao_session=${session}`, 'x-csrf-token': 'forged' } })).status, 403);
    assert.equal((await fetch(`${base}/api/cameras/plaza/zones`, { method: 'PUT', headers: { cookie: `huxiao_session=${session}`, 'content-type': 'application/json' }, body: '{}' })).status, 403);
    const accepted = await fetch(alertUrl, { method: 'POST', headers: { cookie: `huxiao_session=${session}`, 'x-csrf-token': csrf ?? '' } });
    assert.equal(accepted.status, 404, 'with both, the request reaches the alerts (and that alert does not exist)');
    assert.equal(await upgradeStatus(port, '/cameras/plaza/live.ws'), 401, 'no live video without a session');
  });

  it('shows the live picture moving, with one encoder that stops when the viewer leaves', async () => {
    assert.deepEqual(liveEncoders(), [], 'no encoder before anyone watches');
    await page.goto(`${base}/cameras/plaza/live`);
    await page.waitForFunction(() => document.getElementById('live-state')?.textContent === 'Live');
    assert.equal(liveEncoders().length, 1);
    const canvas = page.locator('canvas#live');
    const first = await decodePng(await canvas.screenshot());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await decodePng(await canvas.screenshot());
    assert.equal(first.width, second.width);
    const mean = first.data.reduce((sum, value) => sum + value, 0) / first.data.length;
    assert.ok(mean > 30, `the canvas shows a picture, not black (mean ${mean.toFixed(1)})`);
    const moved = meanAbsDiff(first, second);
    assert.ok(moved > 0.5, `people walk: two pictures 1.5 s apart differ (mean abs diff ${moved.toFixed(2)})`);
    await shot(page, 'live');
    await page.goto(`${base}/gallery`);
    await waitFor('the live encoder to stop once the viewer left', () => liveEncoders().length === 0, 15_000);
    assert.match((await page.textContent('#gallery-count')) ?? '', /0 persons enrolled/);
    await shot(page, 'gallery');
  });

  it('enrolls a face photo on the gallery page, shows why a group photo is refused, and removes the person', async () => {
    await page.goto(`${base}/gallery`);
    await page.fill('form#enroll input[name=name]', '王芳');
    await page.fill('form#enroll input[name=class]', '三年级二班');
    await page.fill('form#enroll input[name=id]', 'S2025010');
    await page.fill('form#enroll input[name=consent]', '监护人同意书-S2025010');
    await page.setInputFiles('form#enroll input[name=photo]', groupPhotoPath('bbt1.jpg'));
    await page.click('form#enroll button[type=submit]');
    await page.waitForSelector('#enroll-problem:not([hidden])');
    assert.match((await page.textContent('#enroll-problem')) ?? '', /^the photo: 4 faces found, \d+, \d+, \d+ and \d+ px wide; the photo must show one person$/);
    await shot(page, 'gallery-refused');
    assert.deepEqual(controller.gallery.records(), [], 'nothing stored');
    assert.equal(controller.store.audit.recent(20).find((row) => row.command === 'web.enroll')?.code, 'FACE_PHOTO');

    await page.setInputFiles('form#enroll input[name=photo]', portraitPath('penny', 1));
    await page.click('form#enroll button[type=submit]');
    await page.waitForURL(`${base}/gallery?enrolled=S2025010`);
    assert.match((await page.textContent('#gallery-count')) ?? '', /1 person enrolled/);
    assert.equal(await page.textContent('#persons tr[data-person="S2025010"] td:nth-child(4)'), `web:${USER}`);
    assert.doesNotMatch((await page.textContent('main')) ?? '', /王芳/, 'the list shows no names');
    await shot(page, 'gallery-enrolled');
    assert.equal(controller.gallery.gallery?.person('S2025010').name, '王芳');
    const enrolled = controller.store.audit.recent(20).find((row) => row.command === 'gallery.enroll');
    assert.deepEqual([enrolled?.subject, enrolled?.actor], ['S2025010', `web:${USER}`]);
    const session = (await browser.context.cookies()).find((c) => c.name === 'huxiao_session')?.value ?? '';
    assert.equal((await fetch(`${base}/api/gallery/persons/S2025010`, { method: 'DELETE', headers: { cookie: `huxiao_session=${session}` } })).status, 403, 'no removal without the CSRF token');

    await page.click('#persons button[data-remove="S2025010"]');
    await page.waitForURL(`${base}/gallery?removed=S2025010`);
    assert.match((await page.textContent('#gallery-count')) ?? '', /0 persons enrolled/);
    assert.equal(await page.locator('#persons').count(), 0);
    await shot(page, 'gallery-removed');
    assert.deepEqual(controller.gallery.records(), []);
    const removed = controller.store.audit.recent(20).find((row) => row.command === 'gallery.remove');
    assert.deepEqual([removed?.subject, removed?.actor], ['S2025010', `web:${USER}`]);
    assert.equal(controller.store.audit.recent(20).find((row) => row.command === 'web.unenroll')?.detail, `by web:${USER}: person S2025010 (list students)`);
  });

  it('refuses a zone with two corners, listing the problem, and leaves the file as it was', async () => {
    const before = readFileSync(configPath, 'utf8');
    await page.goto(`${base}/cameras/plaza/zones`);
    await page.waitForSelector('svg#overlay polygon');
    await shot(page, 'zones');
    const box = await page.locator('svg#overlay').boundingBox();
    assert.ok(box !== null);
    await page.click('#new-zone');
    await page.mouse.click(box.x + box.width * 0.1, box.y + box.height * 0.1);
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.1);
    await page.click('#save');
    await page.waitForSelector('#result .problems li');
    const problems = await page.locator('#result .problems li').allTextContents();
    assert.ok(problems.some((problem) => /^cameras\[0\]\.zones\[1\]\.polygon: /.test(problem)), problems.join(' | '));
    await shot(page, 'zones-refused');
    assert.equal(readFileSync(configPath, 'utf8'), before);
    await page.click('section.shape[data-shape="zone:zone-1"] button.delete');
  });

  it('draws a zone by tapping the picture, saves it into the YAML with its comments, and applies it without a restart', async () => {
    const box = await page.locator('svg#overlay').boundingBox();
    assert.ok(box !== null);
    await page.click('#new-zone');
    // Around the walkway, where people walk through the whole footage.
    const corners: [number, number][] = [[0.01, 0.3], [0.99, 0.4], [0.99, 0.76], [0.01, 0.5]];
    for (const [x, y] of corners) await page.mouse.click(box.x + box.width * x, box.y + box.height * y);
    const card = page.locator('section.shape[data-shape="zone:zone-1"]');
    await card.locator('input.id').fill('path');
    await card.locator('input.id').dispatchEvent('change');
    await page.locator('section.shape[data-shape="zone:path"] input.name').fill('Footpath');
    await page.locator('section.shape[data-shape="zone:path"] select.new-rule').selectOption('intrusion');
    await page.click('section.shape[data-shape="zone:path"] button.add-rule');
    const hitsBefore = hits.length;
    await page.click('#save');
    await page.waitForSelector('#result .saved');
    await shot(page, 'zones-saved');

    const text = readFileSync(configPath, 'utf8');
    assert.match(text, /# The walkway between the parking and the lawn\./);
    assert.match(text, /# Someone on the walkway: the alert list has something to acknowledge\./);
    assert.match(text, /# Gateway at the plaza, for the local page test\./);
    const saved = parseDocument(text).toJS() as { cameras: { zones: { id: string; name?: string; polygon: number[][] }[] }[]; rules: { id: string; type: string; zone?: string }[] };
    const zone = saved.cameras[0]?.zones.find((z) => z.id === 'path');
    assert.equal(zone?.name, 'Footpath');
    assert.equal(zone.polygon.length, 4);
    zone.polygon.forEach(([x, y], i) => {
      const [ex, ey] = corners[i] ?? [0, 0];
      assert.ok(Math.abs((x ?? -1) - ex) < 0.01 && Math.abs((y ?? -1) - ey) < 0.01, `corner ${String(i)} normalized: ${String(x)}, ${String(y)}`);
    });
    assert.deepEqual(saved.cameras[0]?.zones.find((z) => z.id === 'walkway')?.polygon, [[0, 200], [768, 250], [768, 420], [0, 260]], 'the untouched zone keeps its pixels');
    assert.ok(saved.rules.some((rule) => rule.id === 'path-intrusion' && rule.type === 'intrusion' && rule.zone === 'path'));
    assert.equal(statSync(configPath).mode & 0o777, 0o640, 'the file keeps its mode');
    loadConfig(configPath);

    await waitFor('the reloaded camera to have the zone', () => controller.cameras()[0]?.camera.zones.some((z) => z.id === 'path') === true);
    await waitFor('a hit of the new rule', () => hits.slice(hitsBefore).some((hit) => hit.rule === 'path-intrusion'), 90_000);
  });

  // The picture is written just after the alert is committed; these take an alert whose picture is on disk.
  const pictured = (): string | undefined => controller.store.alerts.recent(50, 'gw-page').find((alert) => alert.state === 'raised' && controller.store.snapshots.forAlert(alert.id).some((shot) => shot.kind === 'frame'))?.id;

  it('shows a picture still being saved as such, not as a broken image, and puts it in once it is stored', async () => {
    await waitFor('an alert raised from the footage, with its picture', () => pictured() !== undefined, 90_000);
    const id = pictured() ?? '';
    const frame = controller.store.snapshots.forAlert(id).find((shot) => shot.kind === 'frame');
    assert.ok(frame);
    // As the store is between committing the alert and recording its picture: the row goes, the file stays.
    controller.store.snapshots.delete(frame.id);
    const { alertId, camera, kind, path, bytes, sha256, width, height, createdAt } = frame;
    const record = { alertId, camera, kind, path, bytes, sha256, width, height, createdAt };
    await page.goto(`${base}/alerts`);
    const card = page.locator(`section.alert[data-alert="${id}"]`);
    assert.equal(await card.locator('.no-picture').textContent(), 'picture being saved');
    assert.equal(await card.locator('img').count(), 0, 'no image element that could show broken');
    controller.store.snapshots.insert(record);
    await card.locator('a > img').waitFor({ timeout: 10_000 });
    assert.equal(await card.locator('a > img').evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth)), 768);
    assert.equal(await card.locator('a').getAttribute('href'), `/alerts/${id}/snapshot.jpg`);
  });

  it('acknowledges an alert on the alerts page: the store has it acknowledged by the web user, and an audit row', async () => {
    await waitFor('an alert raised from the footage, with its picture', () => pictured() !== undefined, 90_000);
    const id = pictured() ?? '';
    await page.goto(`${base}/alerts`);
    const card = page.locator(`section.alert[data-alert="${id}"]`);
    await card.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    await shot(page, 'alerts');
    await card.locator('button[data-action=ack]').click();
    await page.waitForFunction((alertId) => document.querySelector(`section[data-alert="${alertId}"] [data-field="state"]`)?.textContent === 'acknowledged', id);
    await shot(page, 'alerts-acknowledged');

    assert.equal(controller.alerts.get(id)?.state, 'acknowledged');
    const states = controller.store.alerts.states(id);
    assert.deepEqual(states.at(-1)?.by, `web:${USER}`);
    const audit = controller.store.audit.recent(20).find((row) => row.command === 'web.ack');
    assert.equal(audit?.outcome, 'ok');
    assert.equal(audit.detail, `by web:${USER}: alert ${id}`);

    const picture = await fetch(`${base}/alerts/${id}/snapshot.jpg`, { headers: { cookie: `huxiao_session=${(await browser.context.cookies()).find((c) => c.name === 'huxiao_session')?.value ?? ''}` } });
    assert.equal(picture.status, 200);
    const jpeg = await decodeJpeg(Buffer.from(await picture.arrayBuffer()));
    assert.equal(jpeg.width, 768);
  });

  it('plays the speaker test, and shows the health of models, store, uplink and disk', async () => {
    await page.goto(`${base}/speaker`);
    await page.click('form#speaker-test button');
    await page.waitForSelector('#speaker-result .saved', { timeout: 60_000 });
    await shot(page, 'speaker');
    assert.equal(controller.store.audit.recent(20).find((row) => row.command === 'web.speaker-test')?.outcome, 'ok');

    await page.goto(`${base}/health`);
    const text = (await page.textContent('main')) ?? '';
    assert.match(text, /detector\s*ready/);
    assert.match(text, /no mqtt section/);
    assert.match(text, /free of/);
    await shot(page, 'health');
  });

  it('is readable on a phone, and never logs the password or a session id', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/cameras/plaza/zones`);
    await phone.waitForSelector('svg#overlay polygon');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling on a phone (page ${String(width)} px wide)`);
    await shot(phone, 'zones-phone');
    await phone.close();

    const session = (await browser.context.cookies()).find((c) => c.name === 'huxiao_session')?.value ?? '';
    const lines = JSON.stringify(logs.records());
    assert.ok(session.length > 20);
    assert.ok(!lines.includes(PASSWORD) && !lines.includes(session), 'neither the password nor the session id is logged');
    assert.ok(logs.records().some((record) => record.msg === 'login refused: wrong password' && record.user === USER));
  });
});
