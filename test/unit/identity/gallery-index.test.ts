import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GalleryIndex } from '../../../edge/identity/gallery-index.js';
import { SyntheticFaces } from '../../../scripts/bench/lib/synthetic-faces.js';

const D = 1024;

/** A mean direction like the real embeddings' (non-negative, uneven); the synthetic model normalizes it. */
function meanDirection(): Float32Array {
  return Float32Array.from({ length: D }, (_, i) => 0.2 + Math.abs(Math.sin(i * 0.37)));
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

function exactTop1(templates: readonly Float32Array[], query: Float32Array): number {
  let best = -Infinity;
  let at = -1;
  templates.forEach((template, p) => {
    const s = dot(template, query);
    if (s > best) {
      best = s;
      at = p;
    }
  });
  return at;
}

function filled(faces: SyntheticFaces, size: number): { templates: Float32Array[]; identities: Float32Array[]; index: GalleryIndex } {
  const identities = Array.from({ length: size }, () => faces.identity());
  const templates = identities.map((identity) => faces.photo(identity));
  const index = new GalleryIndex(D);
  index.bulk(size, () => {
    templates.forEach((template, p) => {
      index.set(`P${String(p)}`, template);
    });
  });
  return { templates, identities, index };
}

describe('GalleryIndex', () => {
  it('agrees with an exact float search on >= 99% of genuine queries in a 5,000-person gallery (the two-stage prefilter in use)', () => {
    const faces = new SyntheticFaces(meanDirection(), 7);
    const { templates, identities, index } = filled(faces, 5000);
    let agree = 0;
    const queries = 300;
    for (let q = 0; q < queries; q += 1) {
      const person = q * 16;
      const query = faces.photo(identities[person] ?? faces.identity());
      const [match] = index.search(query, 1);
      const exact = exactTop1(templates, query);
      if (match?.id === `P${String(exact)}`) {
        agree += 1;
        assert.ok(Math.abs(match.similarity - dot(templates[exact] ?? query, query)) < 2e-3, 'int8 similarity within 2e-3 of the float cosine');
      }
    }
    assert.ok(agree / queries >= 0.99, `top-1 agreed on ${String(agree)} of ${String(queries)}`);
  });

  it('returns k matches best first, the same as an exact search in a small gallery', () => {
    const faces = new SyntheticFaces(meanDirection(), 8);
    const { templates, identities, index } = filled(faces, 200);
    const query = faces.photo(identities[42] ?? faces.identity());
    const matches = index.search(query, 5);
    const exact = templates.map((template, p) => ({ id: `P${String(p)}`, similarity: dot(template, query) })).sort((a, b) => b.similarity - a.similarity).slice(0, 5);
    assert.deepEqual(matches.map((m) => m.id), exact.map((m) => m.id));
    assert.equal(matches[0]?.id, 'P42');
    assert.deepEqual(index.search(query, 0), []);
    assert.deepEqual(new GalleryIndex(D).search(query, 1), []);
  });

  it('after removals and replacements finds every remaining person by their own template, and never a removed one', () => {
    const faces = new SyntheticFaces(meanDirection(), 9);
    const size = 2000;
    const templates = Array.from({ length: size }, () => faces.photo(faces.identity()));
    // One at a time, as enrollments arrive: the mean and the codes are redone as the gallery doubles.
    const index = new GalleryIndex(D);
    templates.forEach((template, p) => {
      index.set(`P${String(p)}`, template);
    });
    const removed = new Set<string>();
    for (let p = 0; p < size; p += 3) {
      assert.ok(index.delete(`P${String(p)}`));
      removed.add(`P${String(p)}`);
    }
    assert.equal(index.delete('P0'), false);
    const replaced = faces.photo(faces.identity());
    index.set('P1', replaced);
    templates[1] = replaced;
    assert.equal(index.size, size - removed.size);
    templates.forEach((template, p) => {
      const id = `P${String(p)}`;
      const [match] = index.search(template, 1);
      if (removed.has(id)) assert.notEqual(match?.id, id);
      else assert.equal(match?.id, id, `${id} found as ${String(match?.id)}`);
      assert.ok(match !== undefined && !removed.has(match.id));
    });
  });
});
