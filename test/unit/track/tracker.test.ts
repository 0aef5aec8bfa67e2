import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tracker } from '../../../edge/track/tracker.js';
import type { Detection } from '../../../edge/vision/detection.js';

const config = { highScore: 0.5, lowScore: 0.15, matchIou: 0.2, confirmFrames: 3, lostSeconds: 2, maxSpeed: 1.5 };

function det(x: number, y: number, score = 0.9, label = 'person', w = 40, h = 100): Detection {
  return { label, classId: label === 'person' ? 0 : 2, score, box: { x1: x, y1: y, x2: x + w, y2: y + h } };
}

describe('tracker', () => {
  it('confirms a track after confirmFrames matches and keeps its id while it walks', () => {
    const tracker = new Tracker(config);
    const states: string[] = [];
    for (let i = 0; i < 20; i++) {
      const tracks = tracker.update([det(100 + i * 8, 200)], i * 200);
      assert.equal(tracks.length, 1);
      assert.equal(tracks[0]?.id, 1);
      states.push(tracks[0].state);
    }
    assert.deepEqual(states.slice(0, 4), ['tentative', 'tentative', 'confirmed', 'confirmed']);
  });

  it('does not swap ids when two people cross paths', () => {
    const tracker = new Tracker(config);
    let ids: number[] = [];
    for (let i = 0; i <= 30; i++) {
      // A walks right, B walks left, slightly lower in the picture; they overlap around i = 15.
      const tracks = tracker.update([det(100 + i * 10, 200), det(400 - i * 10, 215)], i * 200);
      const a = tracks.find((t) => Math.abs(t.box.x1 - (100 + i * 10)) < 15);
      const b = tracks.find((t) => Math.abs(t.box.x1 - (400 - i * 10)) < 15 && t !== a);
      assert.ok(a && b, `both tracked at step ${i}`);
      if (i === 0) ids = [a.id, b.id];
      assert.deepEqual([a.id, b.id], ids, `ids at step ${i}`);
    }
  });

  it('keeps a confirmed track through low-score detections but starts no track from one', () => {
    const tracker = new Tracker(config);
    for (let i = 0; i < 4; i++) tracker.update([det(100 + i * 5, 200)], i * 200);
    const tracks = tracker.update([det(120, 200, 0.3), det(500, 200, 0.3)], 800);
    assert.equal(tracks.length, 1);
    assert.equal(tracks[0]?.id, 1);
    assert.equal(tracks[0].state, 'confirmed');
    assert.equal(tracks[0].matched, true);
  });

  it('drops a tentative track at its first miss and a lost one after the timeout', () => {
    const tracker = new Tracker(config);
    tracker.update([det(600, 100)], 0);
    assert.equal(tracker.update([], 200).length, 0);

    for (let i = 0; i < 4; i++) tracker.update([det(100, 200)], 1000 + i * 200);
    assert.equal(tracker.update([], 2000)[0]?.state, 'lost');
    const back = tracker.update([det(102, 200)], 3400);
    assert.equal(back[0]?.state, 'confirmed', 'found again within the timeout');
    assert.equal(back[0].id, 2);
    tracker.update([], 4000);
    assert.equal(tracker.update([], 5401).length, 0, 'gone after 2 s unmatched');
  });

  it('does not mark a track lost where the detector did not look', () => {
    const tracker = new Tracker(config);
    for (let i = 0; i < 4; i++) tracker.update([det(100, 200)], i * 200);
    const tracks = tracker.update([], 800, { x1: 400, y1: 0, x2: 768, y2: 576 });
    assert.equal(tracks[0]?.state, 'confirmed');
  });

  it('keeps the id of a walker seen again after a 1 s gap between detector runs', () => {
    // Live cameras skip frames while the CPU is busy. After three runs the filter has learnt only part of the
    // walker's speed, so after 1 s its predicted box has slid off the walker's (IoU about 0.1).
    const tracker = new Tracker(config);
    for (let i = 0; i < 3; i++) tracker.update([det(100 + i * 12, 200)], i * 200);
    const after = tracker.update([det(184, 200)], 1400);
    assert.deepEqual(
      after.map((t) => [t.id, t.state, t.matched]),
      [[1, 'confirmed', true]],
    );
    // And when it turned during the gap: walking down the picture instead of right.
    const turned = tracker.update([det(190, 260)], 2400);
    assert.deepEqual(
      turned.map((t) => [t.id, t.matched]),
      [[1, true]],
    );
  });

  it('keeps the two people of a side-by-side pair apart through irregular gaps', () => {
    const tracker = new Tracker(config);
    // Shoulder to shoulder (boxes 5 px apart), walking right at 60 px/s; detector runs 0.2-1 s apart.
    const at = (ts: number): [number, number] => [100 + ts * 0.06, 200];
    const times = [0, 200, 400, 600, 1400, 1600, 2600, 2800, 3600, 3800, 4800, 5000];
    let ids: number[] = [];
    for (const ts of times) {
      const [x, y] = at(ts);
      const tracks = tracker.update([det(x, y), det(x + 45, y + 4)], ts);
      const left = tracks.find((t) => Math.abs(t.box.x1 - x) < 12 && Math.abs(t.box.y1 - y) < 12);
      const right = tracks.find((t) => Math.abs(t.box.x1 - (x + 45)) < 12 && Math.abs(t.box.y1 - (y + 4)) < 12);
      assert.ok(left && right && left !== right, `both tracked at ${String(ts)} ms`);
      if (ts === 0) ids = [left.id, right.id];
      assert.deepEqual([left.id, right.id], ids, `ids at ${String(ts)} ms`);
    }
    // One of them is hidden for a run: the one still seen keeps its own id, the hidden one is lost, not swapped.
    const [x, y] = at(5800);
    const tracks = tracker.update([det(x + 45, y + 4)], 5800);
    assert.deepEqual(
      tracks.map((t) => [t.id, t.matched]),
      [
        [ids[0], false],
        [ids[1], true],
      ],
    );
  });

  it('does not give a lost track the id-keeping benefit beyond walking distance', () => {
    const tracker = new Tracker(config);
    for (let i = 0; i < 4; i++) tracker.update([det(100, 200)], i * 200);
    // 0.4 s later a person appears 2.5 box heights away: too far to be the one just seen.
    const tracks = tracker.update([det(350, 200)], 1000);
    assert.deepEqual(
      tracks.map((t) => [t.id, t.state]),
      [
        [1, 'lost'],
        [2, 'tentative'],
      ],
    );
  });

  it('never matches a detection of another class to a track', () => {
    const tracker = new Tracker(config);
    for (let i = 0; i < 4; i++) tracker.update([det(100, 200), det(300, 200, 0.9, 'car', 120, 80)], i * 200);
    // The car drives over the spot where the person stands; the person is briefly not detected.
    const tracks = tracker.update([det(110, 205, 0.9, 'car', 120, 80)], 800);
    const car = tracks.find((t) => t.label === 'car');
    const person = tracks.find((t) => t.label === 'person');
    assert.equal(person?.id, 1);
    assert.equal(person.state, 'lost');
    assert.notEqual(car?.id, 1);
  });
});

describe('tracker: stationary objects', () => {
  /** A person standing at (300, 200) detected every 200 ms for 4 s, then not looked at (the search was elsewhere) until `untilMs`. */
  function standThenUnlooked(tracker: Tracker, untilMs: number): { stationaryAt: number | undefined; aliveAt: number[] } {
    let stationaryAt: number | undefined;
    for (let ts = 0; ts <= 4000; ts += 200) {
      const [t] = tracker.update([det(300 + (ts % 400 === 0 ? 0 : 3), 200)], ts);
      if (t?.stationary === true) stationaryAt ??= ts;
    }
    const aliveAt: number[] = [];
    for (let ts = 4200; ts <= untilMs; ts += 200) if (tracker.update([], ts, { x1: 0, y1: 0, x2: 100, y2: 100 }).length > 0) aliveAt.push(ts);
    return { stationaryAt, aliveAt };
  }

  it('marks a track that stays in one place for 3 s stationary, and never a walker', () => {
    assert.equal(standThenUnlooked(new Tracker(config), 4000).stationaryAt, 3000);
    const walker = new Tracker(config);
    for (let i = 0; i < 30; i++) assert.equal(walker.update([det(100 + i * 8, 200)], i * 200)[0]?.stationary, false);
  });

  it('keeps a stationary track it was not pointed at for holdStillMs, then the lost timeout', () => {
    const held = standThenUnlooked(new Tracker(config, { holdStillMs: 10_000 }), 20_000);
    // Last seen at 4 s: held to 14 s, then 2 s of lostSeconds.
    assert.equal(held.aliveAt.at(-1), 16_000);
    const unheld = standThenUnlooked(new Tracker(config), 20_000);
    assert.equal(unheld.aliveAt.at(-1), 6000, 'without a hold it goes after lostSeconds, as before');
  });

  it('marks a stationary track lost at once when it is looked for and missed', () => {
    const tracker = new Tracker(config, { holdStillMs: 10_000 });
    standThenUnlooked(tracker, 8000);
    const [t] = tracker.update([], 8200);
    assert.equal(t?.state, 'lost');
    assert.equal(t.stationary, false, 'a lost track is re-checked at the ordinary interval');
    assert.deepEqual(tracker.update([], 10_400), [], 'and dropped lostSeconds after the last frame it was held');
  });
});
