import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { matchCamera, rulesFps, summarize, type ObservedAlert } from '../../../scripts/bench/lib/alert-timing.js';
import { camerasOf, expectedAlerts, gatewayConfig } from '../../../scripts/bench/lib/capacity-scene.js';
import { cores, peakRss, type Tick } from '../../../scripts/bench/lib/proc-sampler.js';
import { parseConfig } from '../../../edge/config/load.js';

const START = 1_000_000;
const plain = { id: 'pond', role: 'fence', variant: 'plain' } as const;
const alert = (id: string, type: string, decidedSeconds: number, camera = 'pond'): ObservedAlert => ({ id, camera, type, decidedAt: START + decidedSeconds * 1000 });

describe('capacity bench: expected fence alerts', () => {
  it('matches each expected alert with the alert raised for it and times its warning from the due frame', () => {
    const expected = expectedAlerts(plain, 0);
    const alerts = [alert('A', 'intrusion', 51.2), alert('B', 'intrusion', 54.0), alert('C', 'dwell', 65.6), alert('X', 'intrusion', 51.2, 'other')];
    const warnings = new Map([['A', START + 51_700], ['B', START + 54_900], ['C', START + 66_000]]);
    const timing = matchCamera('pond', expected, START, alerts, warnings);
    assert.deepEqual(timing.matched.map((m) => [m.type, m.alertId, m.latencyMs]), [['intrusion', 'A', 900], ['intrusion', 'B', 1300], ['dwell', 'C', 400]]);
    assert.equal(timing.extra, 0, "another camera's alert is not this one's extra");
    const summary = summarize([timing]);
    assert.deepEqual(summary, { expected: 3, raised: 3, spoken: 3, extra: 0, p95Ms: 1300, onTime: true });
  });

  it('is not on time when an alert is missing, late beyond 1.5 s, or not spoken, and counts unmatched alerts as extra', () => {
    const expected = expectedAlerts(plain, 0);
    // The woman's intrusion never came; a second dwell came from a switched track id.
    const missing = matchCamera('pond', expected, START, [alert('A', 'intrusion', 51.2), alert('C', 'dwell', 65.6), alert('D', 'dwell', 70)], new Map([['A', START + 51_000], ['C', START + 66_000]]));
    assert.equal(missing.matched[1]?.alertId, undefined);
    assert.equal(missing.extra, 1);
    assert.deepEqual(summarize([missing]), { expected: 3, raised: 2, spoken: 2, extra: 1, p95Ms: 400, onTime: false });

    const late = matchCamera('pond', expected.slice(0, 1), START, [alert('A', 'intrusion', 51.2)], new Map([['A', START + 52_400]]));
    assert.equal(summarize([late]).p95Ms, 1600);
    assert.equal(summarize([late]).onTime, false);

    const silent = summarize([matchCamera('pond', expected.slice(0, 1), START, [alert('A', 'intrusion', 51.2)], new Map())]);
    assert.deepEqual([silent.raised, silent.spoken, silent.onTime], [1, 0, false]);
  });

  it('takes the dwell of the track that entered first for the expected one, timed from that entry + 12 s', () => {
    const mirrored = { id: 'pond', role: 'fence', variant: 'mirrored' } as const;
    const dwell = expectedAlerts(mirrored, 0).filter((a) => a.type === 'dwell');
    assert.deepEqual(dwell, [{ type: 'dwell', dueSeconds: 66, orDueSeconds: 62.8 }]);
    const his = matchCamera('pond', dwell, START, [alert('M', 'dwell', 63.3)], new Map([['M', START + 63_700]]));
    assert.deepEqual(his.matched.map((m) => [m.alertId, m.dueAt - START, m.latencyMs]), [['M', 62_800, 900]]);
    assert.equal(his.extra, 0);
    const hers = matchCamera('pond', dwell, START, [alert('W', 'dwell', 66.4)], new Map([['W', START + 66_800]]));
    assert.deepEqual(hers.matched.map((m) => [m.alertId, m.latencyMs]), [['W', 800]]);
    const tooEarly = matchCamera('pond', dwell, START, [alert('E', 'dwell', 61.5)], new Map());
    assert.deepEqual([tooEarly.matched[0]?.alertId, tooEarly.extra], [undefined, 1]);
  });

  it('does not take an alert decided long after the due time for the expected one', () => {
    const timing = matchCamera('pond', expectedAlerts(plain, 0).slice(0, 1), START, [alert('A', 'intrusion', 61.0)], new Map([['A', START + 61_500]]));
    assert.equal(timing.matched[0]?.alertId, undefined);
    assert.equal(timing.extra, 1);
  });

  it('shifts due times into a cut clip, mirrors the fence and expects nothing of gate and quiet cameras', () => {
    assert.deepEqual(expectedAlerts(plain, 44.5).map((a) => [a.dueSeconds, a.orDueSeconds]), [[6.3, undefined], [9.1, undefined], [21.1, 18.3]]);
    assert.deepEqual(expectedAlerts({ id: 'm', role: 'fence', variant: 'mirrored' }, 0).map((a) => a.dueSeconds), [50.8, 54, 66]);
    assert.deepEqual(camerasOf('mix', 4).map((c) => expectedAlerts(c, 0).length), [3, 0, 0, 0]);
    assert.deepEqual(camerasOf('busy', 3).map((c) => c.variant), ['plain', 'mirrored', 'plain']);
    assert.throws(() => camerasOf('mix', 1), /at least 2 cameras/);
  });

  it('writes a config the gateway accepts, with the fence mirrored on a mirrored camera', () => {
    const cameras = [...camerasOf('busy', 2), ...camerasOf('mix', 3).slice(1)].map((camera) => ({ ...camera, url: 'rtsp://127.0.0.1:8554/stream' }));
    const options = { gatewayId: 'cap', cameras, storeDir: '/tmp/s', audioDir: '/tmp/a', brokerUrl: 'mqtt://127.0.0.1:1883', telemetrySeconds: 5 };
    const text = gatewayConfig({ ...options, quietDecode: 'keyframes' });
    const config = parseConfig(text, 'generated');
    assert.deepEqual(config.cameras.map((c) => c.input.decode), ['all', 'all', 'all', 'keyframes'], 'only the quiet camera decodes key frames');
    assert.ok(!gatewayConfig({ ...options, quietDecode: 'all' }).includes('decode'), 'a build without input.decode gets no such key');
    assert.deepEqual(config.rules.map((r) => `${r.camera}:${r.type}`), ['busy-1:intrusion', 'busy-1:dwell', 'busy-2:intrusion', 'busy-2:dwell', 'gate:line-cross', 'gate:dwell', 'quiet-1:absence']);
    const fences = (parse(text) as { cameras: { zones: { polygon: [number, number][] }[] }[] }).cameras.map((c) => c.zones[0]?.polygon[1]);
    // config/demo.yaml's [330, 370] of 768x576, and its mirror image.
    assert.deepEqual(fences.slice(0, 2), [[0.429688, 0.642361], [0.570312, 0.642361]]);
  });
});

describe('capacity bench: rates', () => {
  it('takes the rules fps as the delivered rate minus the drop rate inside the window', () => {
    const samples = [
      { at: 0, fps: 5, drops: 0 },
      { at: 5000, fps: 5, drops: 0 },
      { at: 10_000, fps: 5, drops: 10 },
      { at: 15_000, fps: 4, drops: 25 },
      { at: 20_000, fps: 5, drops: 25 },
    ];
    // Mean delivered (5 + 5 + 4) / 3 fps, less 25 drops over the 10 s.
    const fps = rulesFps(samples, 5000, 15_000);
    assert.ok(fps !== undefined && Math.abs(fps - (14 / 3 - 2.5)) < 1e-9, `got ${String(fps)}`);
    assert.equal(rulesFps(samples, 100_000, 200_000), undefined);
  });

  it('sums the CPU of each process of a role over the window, a late-starting one from its first reading', () => {
    const ticks: Tick[] = [
      { at: 0, procs: [{ pid: 1, role: 'root', cpu: 0, rssBytes: 100 }, { pid: 2, role: 'ffmpeg', cpu: 0, rssBytes: 10 }] },
      { at: 1000, procs: [{ pid: 1, role: 'root', cpu: 0.5, rssBytes: 300 }, { pid: 2, role: 'ffmpeg', cpu: 0.1, rssBytes: 10 }] },
      { at: 2000, procs: [{ pid: 1, role: 'root', cpu: 1.5, rssBytes: 200 }, { pid: 2, role: 'ffmpeg', cpu: 0.2, rssBytes: 10 }, { pid: 3, role: 'ffmpeg', cpu: 5, rssBytes: 20 }] },
      { at: 3000, procs: [{ pid: 1, role: 'root', cpu: 2, rssBytes: 200 }, { pid: 3, role: 'ffmpeg', cpu: 5.1, rssBytes: 20 }] },
    ];
    assert.equal(cores(ticks, 1000, 3000, 'root'), 0.75);
    assert.equal(Number(cores(ticks, 1000, 3000, 'ffmpeg')?.toFixed(6)), 0.1);
    assert.equal(cores(ticks, 2500, 3500, 'root'), undefined, 'one tick is no rate');
    assert.equal(peakRss(ticks, 0, 3000, 'root'), 300);
    assert.equal(peakRss(ticks, 2000, 3000, 'ffmpeg'), 30);
  });
});
