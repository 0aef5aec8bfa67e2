import type { LineConfig, ZoneConfig } from '../config/zones.js';
import type { RgbImage } from '../ingest/frame.js';
import { drawOverlay } from '../ingest/overlay.js';
import { toPixels, type Point } from '../geometry/geometry.js';

export interface DrawableCamera {
  readonly zones: readonly ZoneConfig[];
  readonly lines: readonly LineConfig[];
}

const ZONE_COLOURS = ['#ffd400', '#00e5ff', '#ff4fd8', '#7cff4f', '#ff8a00', '#b388ff'];
const LINE_COLOUR = '#ff2d2d';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

function label(text: string, [x, y]: Point, colour: string, size: number): string {
  const safe = escapeXml(text);
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="sans-serif" font-size="${String(size)}" font-weight="bold" fill="${colour}" stroke="#000" stroke-width="${(size / 8).toFixed(1)}" paint-order="stroke">${safe}</text>`;
}

/**
 * The zones and lines of a camera as an SVG the size of the picture: translucent polygons with their id, and each
 * line with an arrow head at b and the sides named as the rules use them (L / R, seen from a looking at b).
 */
export function zonesSvg(camera: DrawableCamera, width: number, height: number): string {
  const size = Math.max(12, Math.round(height / 36));
  const parts: string[] = [];
  camera.zones.forEach((zone, i) => {
    const colour = ZONE_COLOURS[i % ZONE_COLOURS.length] ?? '#ffd400';
    const points = toPixels(zone.polygon, width, height);
    parts.push(`<polygon points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="${colour}" fill-opacity="0.22" stroke="${colour}" stroke-width="2"/>`);
    const top = points.reduce((best, p) => (p[1] < best[1] ? p : best), points[0] ?? [0, 0]);
    parts.push(label(zone.name ?? zone.id, [Math.min(top[0] + 4, width - size * 4), Math.max(top[1] + size + 2, size)], colour, size));
  });
  for (const line of camera.lines) {
    const [a, b] = toPixels([line.a, line.b], width, height) as [Point, Point];
    const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
    const head = (turn: number): string => `${(b[0] - size * Math.cos(angle + turn)).toFixed(1)},${(b[1] - size * Math.sin(angle + turn)).toFixed(1)}`;
    parts.push(`<line x1="${a[0].toFixed(1)}" y1="${a[1].toFixed(1)}" x2="${b[0].toFixed(1)}" y2="${b[1].toFixed(1)}" stroke="${LINE_COLOUR}" stroke-width="3"/>`);
    parts.push(`<polygon points="${b[0].toFixed(1)},${b[1].toFixed(1)} ${head(0.4)} ${head(-0.4)}" fill="${LINE_COLOUR}"/>`);
    const mid: Point = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    // Left of a->b in picture coordinates (y down) is the direction (dy, -dx).
    const nx = Math.sin(angle) * size * 1.2;
    const ny = -Math.cos(angle) * size * 1.2;
    parts.push(label('L', [mid[0] + nx - size / 3, mid[1] + ny + size / 3], LINE_COLOUR, size));
    parts.push(label('R', [mid[0] - nx - size / 3, mid[1] - ny + size / 3], LINE_COLOUR, size));
    parts.push(label(line.name ?? line.id, [a[0] + 4, a[1] + size], LINE_COLOUR, size));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}">${parts.join('')}</svg>`;
}

/** The picture with the camera's zones and lines drawn on it, so an installer can check them against the scene. */
export function drawZones(image: RgbImage, camera: DrawableCamera): Promise<RgbImage> {
  return drawOverlay(image, zonesSvg(camera, image.width, image.height));
}
