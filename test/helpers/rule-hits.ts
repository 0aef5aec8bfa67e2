import type { AlertsConfig } from '../../edge/config/alerts.js';
import type { RgbImage } from '../../edge/ingest/frame.js';
import type { RuleHit } from '../../edge/rules/hit.js';

/** Synthetic rule hits for the alert, store and uplink tests (the perception stage makes the real ones). */
export function ruleHit(overrides: Partial<RuleHit> = {}): RuleHit {
  return {
    kind: 'hit',
    rule: 'pond-fence',
    type: 'intrusion',
    severity: 'critical',
    camera: 'pond-east',
    zone: 'water',
    trackId: 7,
    label: 'person',
    score: 0.91,
    box: { x1: 100, y1: 80, x2: 180, y2: 260 },
    firstSeenAt: 1_700_000_000_000,
    decidedAt: 1_700_000_001_000,
    frameSeq: 10,
    details: { dwellSeconds: 1 },
    ...overrides,
  };
}

/** A 320x240 RGB picture with a gradient, so JPEG encoding has something to encode. */
export function testImage(width = 320, height = 240): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      data[offset] = x % 256;
      data[offset + 1] = y % 256;
      data[offset + 2] = (x + y) % 256;
    }
  }
  return { width, height, data };
}

export const ALERTS_CONFIG: AlertsConfig = {
  defaultCooldownSeconds: 60,
  expireAfterMinutes: 60,
  expiryCheckSeconds: 30,
  snapshot: { jpegQuality: 80, cropPadding: 0.25, maxWidth: 1280 },
};
