import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { visionSchema } from '../../../edge/config/vision.js';
import { readPicture } from '../../../edge/identity/face-photo.js';
import { cropHead, faceWork, headFace, type FaceView } from '../../../edge/identity/head-face.js';
import { FaceBudget, TrackIdentifier, VERIFY_INTERVAL_MS } from '../../../edge/identity/track-identifier.js';
import { decideIdentity, MIN_VIEW_GAP_MS } from '../../../edge/identity/track-identity.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { rootLogger } from '../../../edge/log.js';
import type { Track } from '../../../edge/track/tracker.js';
import type { Box } from '../../../edge/geometry/geometry.js';
import { MODEL_ROLES } from '../../../edge/vision/manifest.js';
import { VisionRuntime } from '../../../edge/vision/runtime.js';
import { GROUP_PHOTOS, groupPhotoPath, type Person } from '../../helpers/face-set.js';
import { clipFrames, panClip, panOffset } from '../../helpers/footage.js';
import { aliased, everyone, PortraitGallery, portraitFaces, type Enrolled, type PortraitFace } from '../../helpers/portrait-gallery.js';
import { tempDir } from '../../helpers/tmp.js';

/** The pan over bbt3 of the perception test; here the tracks are given, so each frame's person is known. */
const PAN = { width: 400, height: 382, panPx: 194, seconds: 8 } as const;
const T0 = 1_000_000;

function track(id: number, box: Box): Track {
  return { id, label: 'person', classId: 0, score: 0.9, box, state: 'confirmed', firstSeenAt: T0, lastSeenAt: T0, hits: 5, matched: true, stationary: false };
}

describe('track identification: views, stability, verification, forgetting (real models, frames of a pan over bbt3)', () => {
  let vision: VisionRuntime;
  let faces: PortraitFace[];
  let frames: RgbImage[];
  let dir: Awaited<ReturnType<typeof tempDir>>;

  const models = (): { detector: NonNullable<VisionRuntime['faceDetector']>; embedder: NonNullable<VisionRuntime['faceEmbedder']> } => {
    const { faceDetector, faceEmbedder } = vision;
    assert.ok(faceDetector && faceEmbedder);
    return { detector: faceDetector, embedder: faceEmbedder };
  };

  /** The real detector's box of a person at a frame: the one whose upper half holds their written-down face. */
  const boxOf = async (person: Person, frame: number): Promise<Box> => {
    const image = frames[frame];
    const label = GROUP_PHOTOS.find((photo) => photo.file === 'bbt3.jpg')?.faces.find((face) => face.person === person);
    assert.ok(image && label && vision.detector);
    const x = label.x - panOffset(PAN, frame);
    const boxes = (await vision.detector.detect(image)).filter((d) => d.label === 'person').map((d) => d.box);
    const box = boxes.find((b) => x >= b.x1 && x <= b.x2 && label.y >= b.y1 && label.y <= b.y1 + 0.5 * (b.y2 - b.y1));
    assert.ok(box, `${person} at frame ${String(frame)} in ${JSON.stringify(boxes)}`);
    return box;
  };

  const view = async (person: Person, frame: number, at: number): Promise<FaceView> => {
    const image = frames[frame];
    assert.ok(image);
    const crop = cropHead(image, await boxOf(person, frame));
    assert.ok(crop);
    const result = await headFace(models(), crop, at, 'test');
    assert.ok(typeof result !== 'string', `${person} at frame ${String(frame)}: ${result as string}`);
    return result;
  };

  const identifier = (enrolled: ReadonlyMap<string, Enrolled>, budget = new FaceBudget(1), gallery = faces): TrackIdentifier =>
    new TrackIdentifier({ camera: 'cam', faceWork: faceWork(models()), matcher: new PortraitGallery(gallery, enrolled), budget });

  /** One frame through the identifier, waiting for its job (as a replay does). */
  const step = async (id: TrackIdentifier, frame: number, ts: number, tracks: readonly Track[], first: ReadonlySet<number> = new Set()): Promise<void> => {
    const image = frames[frame];
    assert.ok(image);
    id.observe(image, ts, tracks, first);
    await id.settle();
  };

  before(async () => {
    rootLogger.level = 'warn';
    vision = new VisionRuntime({ config: visionSchema.parse({}), roles: MODEL_ROLES });
    await vision.start();
    faces = await portraitFaces(models());
    dir = await tempDir('track-identifier');
    frames = await clipFrames(await panClip(groupPhotoPath('bbt3.jpg'), PAN, join(dir.path, 'bbt3-pan.mp4')), PAN.width, PAN.height);
  });

  after(async () => {
    await vision.stop();
    await dir.remove();
  });

  it('one good view does not identify a track; a second one 400 ms later does, and the views are then dropped', async () => {
    const id = identifier(everyone());
    await step(id, 16, T0, [track(1, await boxOf('howard', 16))]);
    assert.equal(id.identityOf(1), undefined, 'one lucky frame is not enough');
    assert.equal(id.stats().heldViews, 1);
    await step(id, 18, T0 + 200, [track(1, await boxOf('howard', 18))]);
    assert.equal(id.stats().attempts, 1, 'not tried again within 400 ms');
    await step(id, 20, T0 + 400, [track(1, await boxOf('howard', 20))]);
    const identity = id.identityOf(1);
    assert.equal(identity?.personId, 'howard');
    assert.equal(identity.list, 'students');
    assert.ok(identity.score >= 90, String(identity.score));
    assert.deepEqual({ identified: id.stats().identified, heldViews: id.stats().heldViews }, { identified: 1, heldViews: 0 });
    await step(id, 24, T0 + 800, [track(1, await boxOf('howard', 24))]);
    assert.equal(id.stats().attempts, 2, `an identified track waits ${String(VERIFY_INTERVAL_MS)} ms for its next look`);
  });

  it('two agreeing views closer in time than MIN_VIEW_GAP_MS count as one; views of two people, or a look-alike in the gallery, identify no one', async () => {
    const everyoneGallery = new PortraitGallery(faces, everyone());
    const a = await view('howard', 16, T0);
    const b = await view('howard', 18, T0 + 100);
    assert.equal(decideIdentity([a, b], everyoneGallery), undefined);
    const later = await view('howard', 22, T0 + MIN_VIEW_GAP_MS);
    assert.equal(decideIdentity([a, later], everyoneGallery)?.personId, 'howard');
    const penny = await view('penny', 40, T0 + 3000);
    assert.equal(everyoneGallery.match(penny.embedding)?.personId, 'penny');
    assert.equal(decideIdentity([a, later, penny], everyoneGallery), undefined, 'views that match different people decide nothing');
    const twins = new Map([...everyone(), ['howard-twin', { list: 'students' }]]);
    const withTwin = new PortraitGallery(aliased(faces, 'howard', 'howard-twin'), twins);
    assert.equal(withTwin.match(a.embedding)?.runnerUp, withTwin.match(a.embedding)?.score, 'the twin scores the same');
    assert.equal(decideIdentity([a, later], withTwin), undefined, 'no margin over the nearest other person');
  });

  it('forgets a track and its face views when the track ends, also when the face job finishes after it ended', async () => {
    const id = identifier(new Map([['amy', { list: 'students' }]]));
    await step(id, 16, T0, [track(1, await boxOf('howard', 16))]);
    assert.deepEqual({ tracks: id.stats().tracks, heldViews: id.stats().heldViews }, { tracks: 1, heldViews: 1 }, 'a stranger: the view is held while the track lives');
    await step(id, 17, T0 + 100, []);
    assert.deepEqual({ tracks: id.stats().tracks, heldViews: id.stats().heldViews }, { tracks: 0, heldViews: 0 });

    const image = frames[20];
    const next = frames[21];
    assert.ok(image && next);
    id.observe(image, T0 + 2000, [track(2, await boxOf('penny', 20))], new Set());
    id.observe(next, T0 + 2100, [], new Set());
    await id.settle();
    const stats = id.stats();
    assert.equal(stats.views, 2, 'the job completed with a view');
    assert.deepEqual({ tracks: stats.tracks, heldViews: stats.heldViews }, { tracks: 0, heldViews: 0 }, 'and its view was dropped with the ended track');
  });

  it('an identified track that now holds another person (a tracker hand-over) loses the identity and gets the new one', async () => {
    const id = identifier(everyone());
    await step(id, 16, T0, [track(7, await boxOf('howard', 16))]);
    await step(id, 20, T0 + 400, [track(7, await boxOf('howard', 20))]);
    assert.equal(id.identityOf(7)?.personId, 'howard');
    const leonard = frames[66];
    assert.ok(leonard);
    id.observe(leonard, T0 + 800, [track(7, await boxOf('leonard', 66))], new Set());
    assert.equal(id.identityOf(7), undefined, 'the box jumped onto someone else: the name is withheld at once, before any face is seen');
    await id.settle();
    assert.deepEqual([id.stats().suspended, id.stats().revoked, id.identityOf(7)], [1, 1, undefined], "the face on the box is not howard's");
    await step(id, 70, T0 + 1200, [track(7, await boxOf('leonard', 70))]);
    assert.equal(id.identityOf(7)?.personId, 'leonard');
  });

  it('an identified track whose box jumped keeps its identity once a fresh view is the same person; small moves keep it untouched', async () => {
    const id = identifier(everyone());
    await step(id, 16, T0, [track(3, await boxOf('howard', 16))]);
    await step(id, 20, T0 + 400, [track(3, await boxOf('howard', 20))]);
    assert.equal(id.identityOf(3)?.personId, 'howard');
    await step(id, 18, T0 + 600, [track(3, await boxOf('howard', 18))]);
    assert.deepEqual([id.identityOf(3)?.personId, id.stats().attempts, id.stats().suspended], ['howard', 2, 0], 'no jump, no face job before the next check');
    // His track recovered far away (here: howard in another photo, bbt5, at the right edge): withheld, then confirmed by his own face.
    const bbt5 = await readPicture(groupPhotoPath('bbt5.jpg'));
    assert.ok(vision.detector);
    const far = (await vision.detector.detect(bbt5)).find((d) => d.label === 'person' && d.box.x1 < 764 && d.box.x2 > 764 && d.box.x1 > 600)?.box;
    assert.ok(far, 'howard in bbt5');
    id.observe(bbt5, T0 + 700, [track(3, far)], new Set());
    assert.deepEqual([id.identityOf(3), id.stats().attempts], [undefined, 2], 'withheld; the next attempt is due 400 ms after the last');
    id.observe(bbt5, T0 + 800, [track(3, far)], new Set());
    await id.settle();
    assert.deepEqual([id.identityOf(3)?.personId, id.stats().suspended, id.stats().revoked], ['howard', 1, 0]);
  });

  it('serves the tracks a rule looks at first, and shares the global face budget between cameras', async () => {
    const id = identifier(everyone());
    const both = async (frame: number): Promise<Track[]> => [track(1, await boxOf('howard', frame)), track(2, await boxOf('penny', frame))];
    await step(id, 40, T0, await both(40), new Set([2]));
    await step(id, 44, T0 + 400, await both(44), new Set([2]));
    assert.equal(id.identityOf(2)?.personId, 'penny');
    assert.equal(id.identityOf(1), undefined, 'howard waits: one face job per camera at a time');

    const budget = new FaceBudget(1);
    const a = identifier(everyone(), budget);
    const b = identifier(everyone(), budget);
    const image = frames[40];
    assert.ok(image);
    const tracks = await both(40);
    a.observe(image, T0, tracks, new Set());
    b.observe(image, T0, tracks, new Set());
    assert.equal(budget.inFlight, 1);
    assert.deepEqual([a.stats().attempts, b.stats().deferred], [1, 1], 'the second camera waits for the budget');
    await a.settle();
    assert.equal(budget.inFlight, 0);
    b.observe(image, T0 + 100, tracks, new Set());
    await b.settle();
    assert.equal(b.stats().attempts, 1);
  });
});
