import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the result; default the mode of the file being replaced, or 0600 for a new one. */
  readonly mode?: number;
  /** Group of the result (needs root, or membership of the group); default the creating process's. */
  readonly gid?: number;
}

/**
 * Replaces `path` with `text` so that a reader (or a power cut) sees the old file or the new one, never half of one:
 * the text goes to a temporary file beside it, is synced, and is renamed over the original; the directory is synced so
 * the rename itself survives. The mode of the replaced file is kept unless one is given.
 */
export async function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? (await existingMode(path)) ?? 0o600;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temp, 'wx', mode);
  try {
    await file.writeFile(text, 'utf8');
    // The process umask applies at creation; chmod gives the file exactly the mode asked for.
    await file.chmod(mode);
    if (options.gid !== undefined) await file.chown(-1, options.gid);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temp, { force: true });
    throw error;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
