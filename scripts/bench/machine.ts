import { cpus, totalmem, platform, release, arch } from 'node:os';

/** One line naming the machine a benchmark ran on; every benchmark prints it first so figures are never quoted without it. */
export function machineLine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return `machine: ${model}, ${String(cores.length)} cores, ${gib} GiB, ${platform()} ${release()} ${arch()}, node ${process.version}`;
}
