import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCpuInfo, readCpuInfo } from '../../../edge/vision/cpu-info.js';
import { tempDir } from '../../helpers/tmp.js';

const ZEN1 = `processor	: 0
vendor_id	: AuthenticAMD
cpu family	: 23
model		: 1
model name	: AMD EPYC 7551 32-Core Processor
stepping	: 2
flags		: fpu vme sse4_1 sse4_2 avx avx2 fma f16c md_clear arch_capabilities

processor	: 1
vendor_id	: AuthenticAMD
cpu family	: 23
model		: 1
model name	: AMD EPYC 7551 32-Core Processor
flags		: fpu vme sse4_1 sse4_2 avx avx2 fma f16c md_clear arch_capabilities avx512_vnni
`;

const PI4 = `processor	: 0
BogoMIPS	: 108.00
Features	: fp asimd evtstrm crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU part	: 0xd08

Hardware	: BCM2835
Model		: Raspberry Pi 4 Model B Rev 1.4
`;

describe('cpu info', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    dir = await tempDir('cpuinfo');
  });

  after(async () => {
    await dir.remove();
  });

  it('names an x86 CPU with family and model, and keeps only the vector extensions of the first processor', () => {
    assert.deepEqual(parseCpuInfo(ZEN1), { model: 'AMD EPYC 7551 32-Core Processor (family 23 model 1)', simd: ['sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c'] });
  });

  it('names an Arm CPU by implementer and part, with its Features', () => {
    assert.deepEqual(parseCpuInfo(PI4), { model: 'Arm implementer 0x41 part 0xd08', simd: ['asimd'] });
  });

  it('gives nothing for text without a CPU name', () => {
    assert.equal(parseCpuInfo(''), undefined);
    assert.equal(parseCpuInfo('processor : 0\nflags : avx2\n'), undefined);
  });

  it('reads the file, and falls back to the CPU name node reports when it cannot', async () => {
    const path = join(dir.path, 'cpuinfo');
    await writeFile(path, ZEN1);
    assert.equal((await readCpuInfo(path)).model, 'AMD EPYC 7551 32-Core Processor (family 23 model 1)');
    const fallback = await readCpuInfo(join(dir.path, 'none'));
    assert.ok(fallback.model.length > 0);
    assert.deepEqual(fallback.simd, []);
  });
});
