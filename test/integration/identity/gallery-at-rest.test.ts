import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { HuxiaoError } from '../../../edge/errors.js';
import { rootLogger } from '../../../edge/log.js';
import { openGallery, student, syntheticFaces } from '../../helpers/gallery.js';
import { tempDir } from '../../helpers/tmp.js';

rootLogger.level = 'silent';

const SECRETS = ['张晓明', '三年级二班', '东湖小学', '监护人同意书-S1'];

/** The database file and its WAL as an attacker copying them would get them. */
function rawBytes(path: string): Buffer {
  return Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
}

/** 32-byte pieces every 1 KiB of a value: enough to find any page of it that survived. */
function pieces(value: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 32 <= value.length; at += 1024) out.push(value.subarray(at, at + 32));
  return out;
}

function sealedOf(path: string, id: string): { details: Buffer; embeddings: Buffer } {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.prepare('SELECT details, embeddings FROM gallery_persons WHERE id = ?').get(id) as { details: Buffer; embeddings: Buffer };
  } finally {
    db.close();
  }
}

function keyError(message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => error instanceof HuxiaoError && error.code === 'GALLERY_KEY' && message.test(error.message);
}

describe('gallery at rest', () => {
  it('never writes a name, class, school or consent reference in plaintext; a removal leaves no copy of the ciphertexts in the file or the WAL', async () => {
    const dir = await tempDir('gallery-wipe');
    const open = openGallery(dir.path);
    try {
      const faces = syntheticFaces(11);
      open.gallery.enroll(student(faces, 'S1', '张晓明').request);
      open.gallery.enroll(student(faces, 'S2', '王芳').request);
      const gone = sealedOf(open.path, 'S1');
      const kept = sealedOf(open.path, 'S2');
      assert.ok(gone.embeddings.length > 8000, 'two 1024-value embeddings span overflow pages');
      const before = rawBytes(open.path);
      for (const piece of [...pieces(gone.details), ...pieces(gone.embeddings)]) assert.ok(before.includes(piece), 'the ciphertext is in the files before removal (the search can find it)');
      for (const secret of SECRETS) assert.ok(!before.includes(Buffer.from(secret, 'utf8')), `${secret} in plaintext`);

      assert.equal(open.gallery.remove('S1', { by: 'installer-li' }).wiped, true);
      assert.equal(statSync(`${open.path}-wal`).size, 0, 'the WAL is truncated');
      const afterRemoval = rawBytes(open.path);
      for (const [what, value] of [['details', gone.details], ['embeddings', gone.embeddings]] as const) {
        pieces(value).forEach((piece, i) => {
          assert.ok(!afterRemoval.includes(piece), `${what} piece ${String(i)} survived the removal`);
        });
      }
      for (const piece of pieces(kept.embeddings)) assert.ok(afterRemoval.includes(piece), 'the other person is still there');
    } finally {
      open.close();
      await dir.remove();
    }
  });

  it('without the key, the database file shows ids, lists, times, operators and the audit, and nothing that names a person', async () => {
    const dir = await tempDir('gallery-attacker');
    const open = openGallery(dir.path, { clock: () => 1_735_700_000_000 });
    const faces = syntheticFaces(12);
    open.gallery.enroll(student(faces, 'S1', '张晓明').request);
    open.gallery.enroll(student(faces, 'S2', '王芳').request);
    open.gallery.change('S2', { name: '王小芳', class: '六年级三班' }, { by: 'teacher-wu' });
    open.gallery.remove('S2', { by: 'principal-zhao' });
    open.close();
    try {
      const db = new BetterSqlite3(open.path, { readonly: true });
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'gallery%'").all() as { name: string }[]).map((t) => t.name).sort();
      assert.deepEqual(tables, ['gallery_meta', 'gallery_persons']);
      const [person, ...others] = db.prepare('SELECT * FROM gallery_persons').all() as Record<string, unknown>[];
      assert.equal(others.length, 0);
      assert.deepEqual(Object.keys(person ?? {}), ['id', 'list', 'enrolled_at', 'enrolled_by', 'updated_at', 'revision', 'details', 'embeddings']);
      const { details, embeddings, ...readable } = person ?? {};
      assert.deepEqual(readable, { id: 'S1', list: 'students', enrolled_at: 1_735_700_000_000, enrolled_by: 'installer-li', updated_at: 1_735_700_000_000, revision: 1 });
      for (const sealed of [details, embeddings]) assert.ok(Buffer.isBuffer(sealed) && sealed[0] === 1, 'an opaque sealed value (format byte, IV, tag, ciphertext)');
      assert.equal(((details as Buffer).length - 1 - 12 - 16) % 64, 0, 'details padded to 64-byte blocks: the length does not tell the name\'s');
      const meta = db.prepare('SELECT name FROM gallery_meta ORDER BY name').all() as { name: string }[];
      assert.deepEqual(meta.map((row) => row.name), ['dimensions', 'key_check', 'revision']);
      const audit = db.prepare("SELECT at, command, actor, subject, detail FROM audit WHERE command LIKE 'gallery.%' ORDER BY id").all();
      assert.deepEqual(audit, [
        { at: 1_735_700_000_000, command: 'gallery.enroll', actor: 'installer-li', subject: 'S1', detail: 'list students, 2 embeddings' },
        { at: 1_735_700_000_000, command: 'gallery.enroll', actor: 'installer-li', subject: 'S2', detail: 'list students, 2 embeddings' },
        { at: 1_735_700_000_000, command: 'gallery.change', actor: 'teacher-wu', subject: 'S2', detail: 'changed name, class' },
        { at: 1_735_700_000_000, command: 'gallery.remove', actor: 'principal-zhao', subject: 'S2', detail: 'list students' },
      ]);
      db.close();
      const raw = rawBytes(open.path);
      for (const secret of [...SECRETS, '王芳', '王小芳', '六年级三班']) assert.ok(!raw.includes(Buffer.from(secret, 'utf8')), `${secret} readable in the file`);
    } finally {
      await dir.remove();
    }
  });

  it('with the key file missing and persons enrolled, is unavailable (GALLERY_KEY) and creates no new key', async () => {
    const dir = await tempDir('gallery-nokey');
    const first = openGallery(dir.path);
    first.gallery.enroll(student(syntheticFaces(13), 'S1', '张晓明').request);
    first.close();
    try {
      const keyFile = join(dir.path, 'elsewhere.key');
      assert.throws(() => openGallery(dir.path, { keyFile }), keyError(/elsewhere\.key: missing, and the gallery holds 1 persons .* restore that file/));
      assert.equal(existsSync(keyFile), false);
      const again = openGallery(dir.path);
      assert.equal(again.gallery.person('S1').name, '张晓明');
      again.close();
    } finally {
      await dir.remove();
    }
  });

  it('with another key, is unavailable (GALLERY_KEY) and loses nothing: the right key opens every row again', async () => {
    const dir = await tempDir('gallery-wrongkey');
    const first = openGallery(dir.path);
    first.gallery.enroll(student(syntheticFaces(14), 'S1', '张晓明').request);
    first.close();
    const right = readFileSync(first.keyFile);
    const fileBefore = readFileSync(first.path);
    try {
      writeFileSync(first.keyFile, randomBytes(32));
      assert.throws(() => openGallery(dir.path), keyError(/gallery\.key: is not the key this gallery was sealed with/));
      assert.deepEqual(readFileSync(first.path), fileBefore, 'the database file is byte for byte as it was');
      writeFileSync(first.keyFile, right);
      const again = openGallery(dir.path);
      assert.equal(again.gallery.person('S1').name, '张晓明');
      again.close();
    } finally {
      await dir.remove();
    }
  });

  it('leaves a tampered row out of matching (GALLERY_CORRUPT) and keeps the others in service', async () => {
    const dir = await tempDir('gallery-tamper');
    const faces = syntheticFaces(15);
    const first = openGallery(dir.path);
    const zhang = student(faces, 'S1', '张晓明');
    const wang = student(faces, 'S2', '王芳');
    const li = student(faces, 'S3', '李雷');
    first.gallery.enroll(zhang.request);
    first.gallery.enroll(wang.request);
    first.gallery.enroll(li.request);
    first.close();
    try {
      const db = new BetterSqlite3(first.path);
      // S1's embeddings pasted into S2's row; S3 moved onto a watch list in plaintext.
      db.prepare("UPDATE gallery_persons SET embeddings = (SELECT embeddings FROM gallery_persons WHERE id = 'S1') WHERE id = 'S2'").run();
      db.prepare("UPDATE gallery_persons SET list = 'keypersons:theft' WHERE id = 'S3'").run();
      db.close();
      const again = openGallery(dir.path);
      try {
        assert.deepEqual([...again.gallery.unreadable].sort(), ['S2', 'S3']);
        assert.equal(again.gallery.match(zhang.probe)[0]?.id, 'S1');
        assert.ok(!again.gallery.match(wang.probe, { k: 5 }).some((m) => m.id === 'S2'));
        assert.deepEqual(again.gallery.match(li.probe, { lists: ['keypersons:theft'] }), []);
        assert.throws(() => again.gallery.person('S3'), (error: unknown) => error instanceof HuxiaoError && error.code === 'GALLERY_CORRUPT' && /person S3, gallery_persons\.details: fails authentication/.test(error.message));
        assert.equal(again.gallery.person('S2').name, '王芳', 'only the pasted column fails');
      } finally {
        again.close();
      }
    } finally {
      await dir.remove();
    }
  });

  it('re-scores matches from the sealed rows: a row tampered with while the gallery runs is dropped at its next match', async () => {
    const dir = await tempDir('gallery-tamper-live');
    const faces = syntheticFaces(16);
    const open = openGallery(dir.path);
    try {
      const zhang = student(faces, 'S1', '张晓明');
      open.gallery.enroll(zhang.request);
      open.gallery.enroll(student(faces, 'S2', '王芳').request);
      assert.equal(open.gallery.match(zhang.probe)[0]?.id, 'S1');
      const db = new BetterSqlite3(open.path);
      db.prepare("UPDATE gallery_persons SET embeddings = (SELECT embeddings FROM gallery_persons WHERE id = 'S2') WHERE id = 'S1'").run();
      db.close();
      assert.deepEqual(open.gallery.match(zhang.probe).map((m) => m.id), ['S2'], 'the next candidate takes its place');
      assert.deepEqual(open.gallery.unreadable, ['S1']);
      assert.equal(open.gallery.size, 1);
    } finally {
      open.close();
      await dir.remove();
    }
  });
});
