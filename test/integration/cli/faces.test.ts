import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { portraitPath } from '../../helpers/face-set.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

interface PairLine {
  a: string;
  b: string;
  score?: number;
  same?: boolean;
  error?: { code: string; reason?: string; message: string };
}

interface Summary {
  pairs: number;
  failed: number;
  threshold: number;
  genuinePairs: number;
  trueMatches: number;
  tmr: number | null;
  impostorPairs: number;
  falseMatches: number;
  fmr: number | null;
}

function jsonLines(stdout: string): unknown[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
}

/** The CSV's photos copied beside it under photos/, so the test also shows paths are relative to the CSV. */
const PHOTOS = [
  ['amy', 1],
  ['amy', 2],
  ['amy', 3],
  ['penny', 1],
  ['penny', 5],
  ['raj', 1],
  ['raj', 4],
  ['sheldon', 2],
] as const;

describe('huxiao faces compare', { concurrency: true }, () => {
  let dir: { path: string; remove(): Promise<void> };
  let csv: string;
  before(async () => {
    dir = await tempDir('faces-cli');
    await mkdir(join(dir.path, 'photos'));
    for (const [person, n] of PHOTOS) await copyFile(portraitPath(person, n), join(dir.path, 'photos', `${person}${n}.png`));
    await writeFile(join(dir.path, 'photos', 'notes.png'), 'not a picture');
    csv = join(dir.path, 'pairs.csv');
    await writeFile(
      csv,
      [
        'a,b,same',
        'photos/amy1.png,photos/amy2.png,yes',
        'photos/amy1.png,photos/amy3.png,yes',
        'photos/penny1.png,photos/penny5.png,yes',
        'photos/raj1.png,photos/raj4.png,yes',
        'photos/amy1.png,photos/penny1.png,no',
        'photos/amy2.png,photos/raj1.png,no',
        'photos/penny5.png,photos/sheldon2.png,no',
        'photos/raj4.png,photos/sheldon2.png,no',
        'photos/amy3.png,photos/raj4.png,no',
      ].join('\n'),
    );
  });
  after(async () => {
    await dir.remove();
  });

  it('prints the score of two photos and whether it reaches the threshold', async () => {
    const same = await runCli(['faces', 'compare', portraitPath('amy', 1), portraitPath('amy', 2)]);
    assert.equal(same.code, 0, same.stderr);
    const match = /^(.+) (.+): score (\d+\.\d) \(cosine (0\.\d{3})\); a match at threshold 90\n$/.exec(same.stdout);
    assert.ok(match !== null, same.stdout);
    assert.ok(Number(match[3]) >= 90 && Number(match[3]) <= 100, same.stdout);
    const other = await runCli(['faces', 'compare', portraitPath('amy', 1), portraitPath('raj', 1)]);
    assert.equal(other.code, 0, other.stderr);
    const score = Number(/score (\d+\.\d)/.exec(other.stdout)?.[1]);
    assert.ok(score < 80, other.stdout);
    assert.match(other.stdout, /; no match at threshold 90\n$/);
    const strict = await runCli(['faces', 'compare', portraitPath('amy', 1), portraitPath('raj', 1), '--threshold', String(score)]);
    assert.match(strict.stdout, new RegExp(`score ${score.toFixed(1)} .*; a match at threshold ${score}\\n$`));
  });

  it('prints one JSON line per pair and the true and false match rates of the pairs file', async () => {
    const result = await runCli(['faces', 'compare', '--pairs', csv]);
    assert.equal(result.code, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    const pairs = lines.slice(0, -1) as PairLine[];
    const summary = lines.at(-1) as Summary;
    assert.equal(pairs.length, 9);
    assert.deepEqual(pairs.map((pair) => `${pair.a} ${pair.b}`).slice(0, 2), ['photos/amy1.png photos/amy2.png', 'photos/amy1.png photos/amy3.png']);
    for (const pair of pairs) {
      assert.deepEqual(Object.keys(pair), ['a', 'b', 'score', 'same']);
      assert.ok(typeof pair.score === 'number' && pair.score >= 0 && pair.score <= 100);
    }
    const genuine = pairs.filter((pair) => pair.same === true);
    const impostor = pairs.filter((pair) => pair.same === false);
    const trueMatches = genuine.filter((pair) => (pair.score ?? 0) >= 90).length;
    assert.ok(impostor.every((pair) => (pair.score ?? 100) < 90), result.stdout);
    assert.ok(trueMatches >= 2, result.stdout);
    assert.deepEqual(summary, { pairs: 9, failed: 0, threshold: 90, genuinePairs: 4, trueMatches, tmr: trueMatches / 4, impostorPairs: 5, falseMatches: 0, fmr: 0 });

    const twoPhotos = await runCli(['faces', 'compare', join(dir.path, 'photos', 'amy1.png'), join(dir.path, 'photos', 'amy2.png')]);
    assert.match(twoPhotos.stdout, new RegExp(`score ${(pairs[0]?.score ?? -1).toFixed(1)} `), 'the two forms agree on a pair');

    const loose = jsonLines((await runCli(['faces', 'compare', '--pairs', csv, '--threshold', '50'])).stdout).at(-1) as Summary;
    const impostorsAt50 = impostor.filter((pair) => (pair.score ?? 0) >= 50).length;
    assert.ok(impostorsAt50 > 0, 'some stranger pair scores above 50');
    assert.deepEqual([loose.threshold, loose.trueMatches, loose.falseMatches, loose.fmr], [50, 4, impostorsAt50, impostorsAt50 / 5]);
  });

  it('reports a pair with an unusable photo on its line, leaves it out of the rates and exits 1', async () => {
    const bad = join(dir.path, 'bad.csv');
    await writeFile(bad, 'a,b,same\nphotos/amy1.png,photos/amy2.png,yes\nphotos/amy1.png,photos/notes.png,no\nphotos/raj1.png,photos/amy2.png,no\n');
    const result = await runCli(['faces', 'compare', '--pairs', bad]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /1 of 3 pairs could not be compared/);
    const [first, failed, third, summary] = jsonLines(result.stdout) as [PairLine, PairLine, PairLine, Summary];
    assert.ok(typeof first.score === 'number' && typeof third.score === 'number');
    assert.equal(failed.error?.code, 'FACE_PHOTO');
    assert.equal(failed.error.reason, 'unreadable');
    assert.match(failed.error.message, /^photos\/notes\.png: not an image or unreadable/);
    assert.deepEqual([summary.pairs, summary.failed, summary.genuinePairs, summary.impostorPairs], [3, 1, 1, 1]);
  });

  it('prints no rates without a same column', async () => {
    const plain = join(dir.path, 'plain.csv');
    await writeFile(plain, 'a,b\nphotos/amy1.png,photos/penny1.png\n');
    const result = await runCli(['faces', 'compare', '--pairs', plain]);
    assert.equal(result.code, 0, result.stderr);
    const lines = jsonLines(result.stdout) as PairLine[];
    assert.equal(lines.length, 1);
    assert.deepEqual(Object.keys(lines[0] ?? {}), ['a', 'b', 'score']);
  });

  it('names the problem of a photo or a CSV, and refuses missing arguments with exit code 2', async () => {
    const photo = await runCli(['faces', 'compare', portraitPath('amy', 1), join(dir.path, 'photos', 'notes.png')]);
    assert.equal(photo.code, 1);
    assert.match(photo.stderr, /FACE_PHOTO: .*notes\.png: not an image or unreadable/);
    const broken = join(dir.path, 'broken.csv');
    await writeFile(broken, 'a,b,same\nphotos/amy1.png,photos/amy2.png,perhaps\n');
    const csvResult = await runCli(['faces', 'compare', '--pairs', broken]);
    assert.equal(csvResult.code, 1);
    assert.match(csvResult.stderr, /FACE_PAIRS: .*broken\.csv line 2: same must be yes or no, got "perhaps"/);
    const none = await runCli(['faces', 'compare', portraitPath('amy', 1)]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give two photos, or --pairs <csv> alone/);
    const threshold = await runCli(['faces', 'compare', portraitPath('amy', 1), portraitPath('amy', 2), '--threshold', '120']);
    assert.notEqual(threshold.code, 0);
    assert.match(threshold.stderr, /expected a score from 0 to 100/);
  });
});
