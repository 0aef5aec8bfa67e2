import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { HuxiaoError } from '../errors.js';
import type { ModelEntry } from './manifest.js';

/**
 * Reads a model file named by the manifest and checks its size and sha256 while streaming it. The verified bytes are
 * returned and handed to onnxruntime as they are, so the file cannot change between the check and the load.
 * Throws MODEL_MISSING (absent or unreadable) or MODEL_INTEGRITY (size or hash differs), naming the file.
 */
export async function readVerifiedModel(modelsDir: string, entry: ModelEntry): Promise<Buffer> {
  const path = join(modelsDir, entry.file);
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      chunks.push(buffer);
      bytes += buffer.length;
      if (bytes > entry.bytes) break;
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new HuxiaoError('MODEL_MISSING', `model file ${path} (${entry.name}) ${reason}`, { cause: error });
  }
  if (bytes !== entry.bytes) {
    const what = bytes < entry.bytes ? `truncated: ${bytes} bytes, the manifest says ${entry.bytes}` : `larger than the ${entry.bytes} bytes the manifest says`;
    throw new HuxiaoError('MODEL_INTEGRITY', `model file ${path} (${entry.name}) is ${what}`);
  }
  const digest = hash.digest('hex');
  if (digest !== entry.sha256) {
    throw new HuxiaoError('MODEL_INTEGRITY', `model file ${path} (${entry.name}) has sha256 ${digest}, the manifest says ${entry.sha256}: the file was altered or comes from another build`);
  }
  return Buffer.concat(chunks, bytes);
}
