import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeProblem, ENROLLMENT_QUALITY, frontalness, PROBE_QUALITY, qualityProblems, sharpness } from '../../../edge/identity/face-quality.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import type { AlignmentLandmarks } from '../../../edge/vision/face-align.js';

/** A frontal face with eyes 40 px apart, rotated by `degrees` and with the nose moved sideways by `shift` eye distances. */
function face(degrees: number, shift: number): AlignmentLandmarks {
  const t = (degrees * Math.PI) / 180;
  const at = (x: number, y: number): { x: number; y: number } => ({ x: 100 + x * Math.cos(t) - y * Math.sin(t), y: 100 + x * Math.sin(t) + y * Math.cos(t) });
  return { leftEye: at(-20, 0), rightEye: at(20, 0), nose: at(40 * shift, 25), mouth: at(0, 45) };
}

function picture(width: number, height: number, grey: (x: number, y: number) => number): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) data.fill(Math.max(0, Math.min(255, Math.round(grey(x, y)))), (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { width, height, data };
}

describe('face quality measures', () => {
  it('frontalness reads the eye-line tilt and the nose offset in eye distances', () => {
    const straight = frontalness(face(0, 0));
    assert.ok(Math.abs(straight.tiltDeg) < 1e-9 && straight.noseOffset < 1e-9);
    const turned = frontalness(face(20, -0.4));
    assert.ok(Math.abs(turned.tiltDeg - 20) < 1e-9, String(turned.tiltDeg));
    assert.ok(Math.abs(turned.noseOffset - 0.4) < 1e-9, String(turned.noseOffset));
  });

  it('sharpness falls with blur and stays when the picture is darker', () => {
    const stripes = (x: number): number => 128 + 100 * Math.sin(x * 1.3);
    const soft = (x: number): number => 128 + 100 * Math.sin(x * 0.2);
    const landmarks = face(0, 0);
    const sharp = sharpness(picture(200, 200, stripes), landmarks);
    const blurred = sharpness(picture(200, 200, soft), landmarks);
    const dark = sharpness(picture(200, 200, (x) => 0.4 * stripes(x)), landmarks);
    assert.ok(blurred < sharp / 10, `${blurred} vs ${sharp}`);
    assert.ok(Math.abs(dark - sharp) / sharp < 0.05, `${dark} vs ${sharp}`);
    assert.equal(sharpness(picture(200, 200, () => 90), landmarks), 0, 'a flat patch has nothing to recognize');
  });

  it('lists each problem against the thresholds, size first', () => {
    const problems = qualityProblems({ sizePx: 41.6, sharpness: 0.02, tiltDeg: -35, noseOffset: 0.1 }, ENROLLMENT_QUALITY);
    assert.deepEqual(problems.map((problem) => problem.reason), ['too-small', 'too-blurred', 'not-frontal']);
    assert.deepEqual(problems.map(describeProblem), [
      'the face is too small: 42 px wide, at least 80 px needed',
      'the face is too blurred: sharpness 0.020, at least 0.06 needed',
      'the face is not frontal enough: eye line tilted 35 deg (at most 30), nose 0.10 eye distances off centre (at most 0.3)',
    ]);
    assert.deepEqual(qualityProblems({ sizePx: 41.6, sharpness: 0.04, tiltDeg: -35, noseOffset: 0.1 }, PROBE_QUALITY), []);
    assert.deepEqual(qualityProblems({ sizePx: 150, sharpness: 0.5, tiltDeg: 5, noseOffset: 0.31 }, ENROLLMENT_QUALITY).map((p) => p.reason), ['not-frontal']);
  });
});
