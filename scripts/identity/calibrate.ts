import { visionSchema } from '../../edge/config/vision.js';
import { openFaceModels } from '../../edge/identity/face-models.js';
import { ENROLLMENT_QUALITY, PROBE_QUALITY, qualityProblems, type QualityThresholds } from '../../edge/identity/face-quality.js';
import { DEFAULT_THRESHOLD, SCORE_ANCHORS, similarityScore } from '../../edge/identity/score.js';
import { machineLine } from '../bench/machine.js';
import { CLEAN, DEGRADATIONS, faceWidths, groupSamples, portraitSamples, type Sample } from './face-samples.js';
import { bestPerPerson, merge, personPairs, probePairs, spread, withinPairs, type PairSet } from './pairs.js';

/**
 * Measures what the 0-100 score means on the shared face set and prints the tables of docs/identity.md:
 * genuine / impostor cosine distributions per condition, false and true match rates at 80, 85, 90 and 95, the group
 * photos identified against the portrait gallery, the quality measures behind the photo checks, and whether the
 * anchors in edge/identity/score.ts still sit where their comments say (exit 1 if score 90 no longer lies above
 * every impostor pair). `npm run calibrate:faces`; about 15 s.
 */
const LEVELS = [80, 85, 90, 95] as const;

const out: string[] = [];
const line = (text = ''): void => {
  out.push(text);
};
const c3 = (value: number): string => value.toFixed(3);
const pct = (hits: number, total: number): string => (total === 0 ? '-' : `${((100 * hits) / total).toFixed(hits === 0 || hits === total ? 0 : 1)}% (${hits}/${total})`);
const atLeast = (values: readonly number[], level: number): number => values.filter((value) => similarityScore(value) >= level).length;

function table(header: readonly string[], rows: readonly (readonly string[])[]): void {
  line(`| ${header.join(' | ')} |`);
  line(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) line(`| ${row.join(' | ')} |`);
  line();
}

function passes(samples: readonly Sample[], thresholds: QualityThresholds): number {
  return samples.filter((sample) => qualityProblems(sample.quality, thresholds).length === 0).length;
}

const models = await openFaceModels(visionSchema.parse({}));
try {
  const clean = await portraitSamples(models, CLEAN, new Map());
  const widths = faceWidths(clean.samples);
  const degraded = [];
  for (const condition of DEGRADATIONS) degraded.push({ condition, ...(await portraitSamples(models, condition, widths)) });
  const group = await groupSamples(models);

  const sets: { name: string; pairs: PairSet }[] = [
    { name: 'portrait vs portrait', pairs: withinPairs(clean.samples) },
    ...degraded.map(({ condition, samples }) => ({ name: condition.label, pairs: probePairs(samples, clean.samples) })),
    { name: 'group-photo face vs portrait', pairs: probePairs(group.samples, clean.samples) },
  ];
  const people = { name: 'group-photo face vs gallery (best of 5)', pairs: personPairs(group.samples, clean.samples) };
  const pooled = merge(sets.map((set) => set.pairs));

  line(machineLine());
  line(`models: ${models.names.detector} + ${models.names.embedder}`);
  line();
  line('## Faces found');
  line(`clean portraits: ${clean.samples.length}/40${clean.missed.length > 0 ? `, missed ${clean.missed.join(', ')}` : ''}`);
  for (const { condition, samples, missed } of degraded) line(`${condition.label}: ${samples.length}/40${missed.length > 0 ? `, missed ${missed.join(', ')}` : ''}`);
  line(`group photos: ${group.samples.length} labelled faces${group.missed.length > 0 ? `, missed ${group.missed.map((label) => label.person).join(', ')}` : ''}${group.unlabelled.length > 0 ? `, unlabelled: ${group.unlabelled.join('; ')}` : ''}`);
  line();

  line('## Cosine distributions');
  table(
    ['condition', 'genuine pairs', 'min', 'p5', 'median', 'p95', 'max', 'impostor pairs', 'median', 'p99', 'p99.9', 'max'],
    [...sets, people, { name: 'all conditions pooled (pairs)', pairs: pooled }].map(({ name, pairs }) => {
      const g = spread(pairs.genuine);
      const i = spread(pairs.impostor);
      return [name, String(g.n), c3(g.min), c3(g.p5), c3(g.median), c3(g.p95), c3(g.max), String(i.n), c3(i.median), c3(i.p99), c3(i.p999), c3(i.max)];
    }),
  );

  line('## Score map (edge/identity/score.ts)');
  table(
    ['cosine', 'score', 'pooled impostor pairs at or above'],
    SCORE_ANCHORS.map((anchor) => [anchor.cosine.toFixed(2), String(anchor.score), pct(pooled.impostor.filter((value) => value >= anchor.cosine).length, pooled.impostor.length)]),
  );

  line('## True and false match rates (score at or above the level)');
  table(
    ['condition', ...LEVELS.flatMap((level) => [`TMR ${level}`, `FMR ${level}`])],
    [...sets, people].map(({ name, pairs }) => [
      name,
      ...LEVELS.flatMap((level) => [pct(atLeast(pairs.genuine, level), pairs.genuine.length), pct(atLeast(pairs.impostor, level), pairs.impostor.length)]),
    ]),
  );

  line(`## Group-photo faces against the portrait gallery (best photo per person, threshold ${DEFAULT_THRESHOLD})`);
  let rank1 = 0;
  let accepted = 0;
  let wrong = 0;
  table(
    ['face', 'size px', 'sharpness', 'tilt deg', 'nose offset', 'own best', 'best other', 'outcome'],
    group.samples.map((sample) => {
      const ranked = [...bestPerPerson(sample, clean.samples)].sort((a, b) => b[1] - a[1]);
      const own = ranked.find(([person]) => person === sample.person);
      const other = ranked.find(([person]) => person !== sample.person);
      const top = ranked[0];
      if (top?.[0] === sample.person) rank1 += 1;
      const topScore = top === undefined ? 0 : similarityScore(top[1]);
      const outcome = topScore < DEFAULT_THRESHOLD ? 'no match' : top?.[0] === sample.person ? 'matched' : `WRONG: ${top?.[0] ?? ''}`;
      if (outcome === 'matched') accepted += 1;
      if (outcome.startsWith('WRONG')) wrong += 1;
      return [
        sample.photo,
        sample.quality.sizePx.toFixed(0),
        c3(sample.quality.sharpness),
        sample.quality.tiltDeg.toFixed(1),
        sample.quality.noseOffset.toFixed(2),
        own === undefined ? '-' : `${c3(own[1])} (${similarityScore(own[1]).toFixed(1)})`,
        other === undefined ? '-' : `${other[0]} ${c3(other[1])} (${similarityScore(other[1]).toFixed(1)})`,
        outcome,
      ];
    }),
  );
  const known = group.samples.filter((sample) => sample.person !== 'unknown').length;
  line(`known faces: ${known}; nearest person right: ${rank1}; matched at ${DEFAULT_THRESHOLD}: ${accepted}; matched to the wrong person: ${wrong}`);
  line();

  line('## Quality measures (edge/identity/face-quality.ts)');
  const qualityRow = (name: string, samples: readonly Sample[]): string[] => {
    const size = spread(samples.map((s) => s.quality.sizePx));
    const sharp = spread(samples.map((s) => s.quality.sharpness));
    const tilt = spread(samples.map((s) => Math.abs(s.quality.tiltDeg)));
    const nose = spread(samples.map((s) => s.quality.noseOffset));
    return [
      name,
      String(samples.length),
      `${size.median.toFixed(0)} (${size.min.toFixed(0)}-${size.max.toFixed(0)})`,
      `${c3(sharp.min)} / ${c3(sharp.median)} / ${c3(sharp.max)}`,
      tilt.max.toFixed(1),
      nose.max.toFixed(2),
      pct(passes(samples, ENROLLMENT_QUALITY), samples.length),
      pct(passes(samples, PROBE_QUALITY), samples.length),
    ];
  };
  table(
    ['condition', 'faces', 'size px median (min-max)', 'sharpness min / median / max', 'max tilt deg', 'max nose offset', 'pass enrollment', 'pass probe'],
    [qualityRow(CLEAN.label, clean.samples), ...degraded.map(({ condition, samples }) => qualityRow(condition.label, samples)), qualityRow('group-photo faces', group.samples)],
  );

  line('## Anchor check');
  const imp = spread(pooled.impostor);
  const anchorAt = (score: number): number => SCORE_ANCHORS.find((anchor) => anchor.score === score)?.cosine ?? Number.NaN;
  const checks: [string, boolean][] = [
    [`score 50 at ${anchorAt(50)}: pooled impostor median ${c3(imp.median)} (within 0.02)`, Math.abs(anchorAt(50) - imp.median) <= 0.02],
    [`score 80 at ${anchorAt(80)}: pooled impostor p99 ${c3(imp.p99)} (within 0.02)`, Math.abs(anchorAt(80) - imp.p99) <= 0.02],
    [`score 85 at ${anchorAt(85)}: pooled impostor p99.9 ${c3(imp.p999)} (within 0.02)`, Math.abs(anchorAt(85) - imp.p999) <= 0.02],
    [`score 90 at ${anchorAt(90)}: above the highest impostor pair ${c3(imp.max)}`, anchorAt(90) > imp.max],
    [`score 95 at ${anchorAt(95)}: 0.1 above the score-90 anchor`, Math.abs(anchorAt(95) - anchorAt(90) - 0.1) < 1e-9],
  ];
  for (const [text, ok] of checks) line(`${ok ? 'ok   ' : 'CHECK'} ${text}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (!(checks[3]?.[1] ?? false)) process.exitCode = 1;
} finally {
  await models.stop();
}
