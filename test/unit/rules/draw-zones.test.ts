import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineSchema, zoneSchema } from '../../../edge/config/zones.js';
import { drawZones, zonesSvg } from '../../../edge/rules/draw-zones.js';

const W = 200;
const H = 100;
const zone = zoneSchema.parse({ id: 'left', name: 'pond <bank>', polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] });
const line = lineSchema.parse({ id: 'wall', a: [150, 10], b: [150, 90] });

function pixel(data: Buffer, x: number, y: number): number[] {
  const i = (y * W + x) * 3;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

describe('drawing zones and lines', () => {
  it('tints the zone, draws the line and leaves the rest of the picture alone', async () => {
    const out = await drawZones({ width: W, height: H, data: Buffer.alloc(W * H * 3) }, { zones: [zone], lines: [line] });
    assert.equal(out.data.length, W * H * 3);
    const inside = pixel(out.data, 50, 80);
    assert.ok((inside[0] ?? 0) > 20 && (inside[1] ?? 0) > 20, `zone tinted: ${inside.join(',')}`);
    const onLine = pixel(out.data, 150, 50);
    assert.ok((onLine[0] ?? 0) > 150 && (onLine[1] ?? 0) < 100, `line drawn red: ${onLine.join(',')}`);
    assert.deepEqual(pixel(out.data, 180, 50), [0, 0, 0]);
  });

  it('escapes names so a zone name cannot break the SVG', () => {
    const svg = zonesSvg({ zones: [zone], lines: [] }, W, H);
    assert.match(svg, /pond &#60;bank&#62;/);
    assert.doesNotMatch(svg, /<bank>/);
  });
});
