import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { visionSchema } from '../config/vision.js';
import { isHuxiaoError } from '../errors.js';
import { facePhoto, FacePhotoError, type FacePhoto } from '../identity/face-photo.js';
import { openFaceModels, type FaceModels } from '../identity/face-models.js';
import { readPairs } from '../identity/face-pairs.js';
import { PROBE_QUALITY } from '../identity/face-quality.js';
import { DEFAULT_THRESHOLD, isMatch, matchRates, similarityScore } from '../identity/score.js';
import { cosine } from '../vision/face-embedder.js';

function parseThreshold(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) throw new InvalidArgumentError('expected a score from 0 to 100, e.g. 90');
  return value;
}

/**
 * One embedding per photo file however many pairs name it. Photos are checked as camera pictures (PROBE_QUALITY):
 * an installer compares a gallery photo with what a camera saw, whose face is smaller than enrollment accepts.
 */
function photoCache(models: FaceModels): (path: string, name: string) => Promise<FacePhoto> {
  const cache = new Map<string, Promise<FacePhoto>>();
  return (path, name) => {
    let entry = cache.get(path);
    if (entry === undefined) {
      entry = facePhoto(models, path, { thresholds: PROBE_QUALITY, name });
      cache.set(path, entry);
    }
    return entry;
  };
}

async function compareTwo(models: FaceModels, a: string, b: string, threshold: number): Promise<void> {
  const photo = photoCache(models);
  const first = await photo(resolve(a), a);
  const second = await photo(resolve(b), b);
  const value = cosine(first.embedding, second.embedding);
  const score = similarityScore(value);
  process.stdout.write(`${a} ${b}: score ${score.toFixed(1)} (cosine ${value.toFixed(3)}); ${isMatch(score, threshold) ? 'a match' : 'no match'} at threshold ${threshold}\n`);
}

async function comparePairs(models: FaceModels, csv: string, threshold: number): Promise<void> {
  const pairs = await readPairs(csv);
  const photo = photoCache(models);
  const scored: { score: number; same: boolean }[] = [];
  let failed = 0;
  for (const pair of pairs) {
    const same = pair.same === undefined ? {} : { same: pair.same };
    try {
      const first = await photo(pair.pathA, pair.a);
      const second = await photo(pair.pathB, pair.b);
      const score = similarityScore(cosine(first.embedding, second.embedding));
      if (pair.same !== undefined) scored.push({ score, same: pair.same });
      process.stdout.write(`${JSON.stringify({ a: pair.a, b: pair.b, score, ...same })}\n`);
    } catch (error) {
      if (!isHuxiaoError(error)) throw error;
      failed += 1;
      const reason = error instanceof FacePhotoError ? { reason: error.reason } : {};
      process.stdout.write(`${JSON.stringify({ a: pair.a, b: pair.b, ...same, error: { code: error.code, ...reason, message: error.message } })}\n`);
    }
  }
  if (pairs.some((pair) => pair.same !== undefined)) {
    process.stdout.write(`${JSON.stringify({ pairs: pairs.length, failed, ...matchRates(scored, threshold) })}\n`);
  }
  if (failed > 0) {
    process.stderr.write(`huxiao: ${failed} of ${pairs.length} pairs could not be compared (see their "error")\n`);
    process.exitCode = 1;
  }
}

export function registerFaces(program: Command): void {
  const faces = program.command('faces').description('Face photos: similarity scores, and checking the match threshold on local photos');
  faces
    .command('compare')
    .description(
      'Print the 0-100 similarity score of two photos (one face each), or with --pairs one JSON line per pair of a CSV ' +
        '(columns a,b and optionally same=yes/no, paths relative to the CSV) and, with same, the true and false match rates',
    )
    .argument('[a]', 'first photo')
    .argument('[b]', 'second photo')
    .option('--pairs <csv>', 'CSV of photo pairs')
    .option('--threshold <score>', 'match threshold', parseThreshold, DEFAULT_THRESHOLD)
    .action(async (a: string | undefined, b: string | undefined, options: { pairs?: string; threshold: number }, command: Command) => {
      const two = a !== undefined && b !== undefined;
      if (options.pairs === undefined ? !two : a !== undefined) command.error('error: give two photos, or --pairs <csv> alone', { exitCode: 2 });
      const models = await openFaceModels(visionSchema.parse({}));
      try {
        if (options.pairs !== undefined) await comparePairs(models, options.pairs, options.threshold);
        else if (a !== undefined && b !== undefined) await compareTwo(models, a, b, options.threshold);
      } finally {
        await models.stop();
      }
    });
}
