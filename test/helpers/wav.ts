import { readFileSync } from 'node:fs';

export interface WavFacts {
  readonly sampleRate: number;
  readonly channels: number;
  readonly seconds: number;
  /** Root mean square of the samples, 0..1 of full scale. */
  readonly rms: number;
  /** Largest absolute sample, 0..1 of full scale. */
  readonly peak: number;
}

/** Reads a 16-bit PCM WAV file's duration and loudness, walking the RIFF chunks rather than assuming a 44-byte header. */
export function wavFacts(path: string): WavFacts {
  const data = readFileSync(path);
  if (data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path}: not a WAV file`);
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = data.readUInt16LE(body + 2);
      sampleRate = data.readUInt32LE(body + 4);
      bits = data.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`${path}: ${String(bits)}-bit samples, expected 16`);
      const end = Math.min(data.length, body + size);
      let sum = 0;
      let peak = 0;
      const count = Math.floor((end - body) / 2);
      for (let i = 0; i < count; i++) {
        const sample = data.readInt16LE(body + i * 2) / 32768;
        sum += sample * sample;
        peak = Math.max(peak, Math.abs(sample));
      }
      return { sampleRate, channels, seconds: count / channels / sampleRate, rms: Math.sqrt(sum / Math.max(1, count)), peak };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}
