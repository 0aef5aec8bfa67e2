import { HuxiaoError } from '../errors.js';

export type PhotoFormat = 'jpeg' | 'png';

export interface PhotoUploadLimits {
  /** Largest decoded photo. */
  readonly maxBytes: number;
  readonly formats: readonly PhotoFormat[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAGIC: Readonly<Record<PhotoFormat, readonly number[]>> = { jpeg: [0xff, 0xd8, 0xff], png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] };
const LABEL: Readonly<Record<PhotoFormat, string>> = { jpeg: 'JPEG', png: 'PNG' };

function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(bytes % 1_048_576 === 0 ? 0 : 1)} MiB`;
}

/** The base64 length of `bytes` bytes: what a JSON Schema can bound. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * The bytes of a photo sent as base64 (cmd/enroll, the local page), or PHOTO_UPLOAD naming it and saying what is
 * wrong: not base64, beyond the size limit, or not one of the formats by its first bytes. Whether it decodes and
 * shows a usable face is facePhoto's to say.
 */
export function decodePhotoUpload(text: string, name: string, limits: PhotoUploadLimits): Buffer {
  const compact = text.trim();
  if (compact === '' || compact.length % 4 !== 0 || !BASE64.test(compact)) throw new HuxiaoError('PHOTO_UPLOAD', `${name}: not base64 (expected the photo file's bytes, base64-encoded without line breaks)`);
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > limits.maxBytes) throw new HuxiaoError('PHOTO_UPLOAD', `${name}: ${mib(bytes.length)}, more than the ${mib(limits.maxBytes)} a photo may have; downscale it (the face needs 80 px)`);
  const format = limits.formats.find((candidate) => MAGIC[candidate].every((byte, i) => bytes[i] === byte));
  if (format === undefined) throw new HuxiaoError('PHOTO_UPLOAD', `${name}: not a ${limits.formats.map((candidate) => LABEL[candidate]).join(' or ')} file`);
  return bytes;
}
