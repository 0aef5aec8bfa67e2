import assert from 'node:assert/strict';
import { chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatHash, hashPassword, parseHash, readPasswordFile, verifyPassword, writePasswordFile } from '../../../edge/web/password.js';
import { tempDir } from '../../helpers/tmp.js';

describe('page password hash', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('password');
  });
  after(async () => {
    await dir.remove();
  });

  it('stores a salted scrypt hash with its parameters, never the password, readable by its owner and the directory\'s group', async () => {
    const file = join(dir.path, 'web-password');
    const group = 4321;
    if (process.getuid?.() === 0) chownSync(dir.path, 0, group);
    await writePasswordFile(file, 'école-南门-2024');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}\n$/);
    assert.ok(!text.includes('école'));
    assert.equal(statSync(file).mode & 0o777, 0o640);
    if (process.getuid?.() === 0) assert.equal(statSync(file).gid, group, 'run as root, the file takes the group of its directory');
    const hash = await readPasswordFile(file);
    assert.ok(hash !== undefined);
    assert.equal(await verifyPassword('école-南门-2024', hash), true);
    assert.equal(await verifyPassword('école-南门-2025', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('gives two hashes of one password different salts', async () => {
    const [a, b] = [await hashPassword('same password'), await hashPassword('same password')];
    assert.notEqual(formatHash(a), formatHash(b));
  });

  it('refuses a short password, and reports a damaged or tampered file as WEB_PASSWORD', async () => {
    await assert.rejects(hashPassword('short'), { code: 'WEB_PASSWORD', message: /at least 8 characters/ });
    assert.equal(await readPasswordFile(join(dir.path, 'missing')), undefined);
    const damaged = join(dir.path, 'damaged');
    writeFileSync(damaged, 'hunter2\n');
    await assert.rejects(readPasswordFile(damaged), { code: 'WEB_PASSWORD', message: /not a password hash/ });
    const good = formatHash(await hashPassword('a good password'));
    assert.throws(() => parseHash(good.replace('ln=14', 'ln=30'), 'tampered'), { code: 'WEB_PASSWORD' });
    assert.throws(() => parseHash(good.replace('r=8', 'r=99'), 'tampered'), { code: 'WEB_PASSWORD' });
  });
});
