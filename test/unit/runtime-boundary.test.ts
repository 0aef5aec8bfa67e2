import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUNTIME = join(ROOT, 'dist', 'edge');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

interface Import {
  /** The compiled module, relative to dist/edge. */
  readonly file: string;
  readonly specifier: string;
}

/**
 * The imports of the compiled runtime, one per module that has a source in edge/ (a stale file of an older build in
 * dist/edge is no part of the runtime). Type-only imports are gone from the compiled code; what is left is what
 * node loads on the gateway.
 */
function runtimeImports(): Import[] {
  const sources = readdirSync(join(ROOT, 'edge'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  assert.ok(sources.length > 50, 'edge/ holds the runtime sources');
  return sources.flatMap((source) => {
    const file = source.replace(/\.ts$/, '.js');
    const path = join(RUNTIME, file);
    assert.ok(existsSync(path), `${file} is built (npm run build)`);
    const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    return importedFiles.map((imported) => ({ file, specifier: imported.fileName }));
  });
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

const BUILTINS = new Set(builtinModules);

describe('the runtime stands alone (what install.sh puts on a gateway)', () => {
  const imports = runtimeImports();

  it('never imports the dev kit, the tests or the scripts: every relative import stays in edge/', () => {
    const leaving = imports
      .filter(({ specifier }) => specifier.startsWith('.'))
      .filter(({ file, specifier }) => relative(RUNTIME, resolve(dirname(join(RUNTIME, file)), specifier)).startsWith(`..${sep}`))
      .map(({ file, specifier }) => `edge/${file}: ${specifier}`);
    assert.deepEqual(leaving, []);
  });

  it('imports only node built-ins and production dependencies, never a devDependency', () => {
    const packages = imports.filter(({ specifier }) => !specifier.startsWith('.') && !specifier.startsWith('node:') && !BUILTINS.has(specifier));
    assert.ok(packages.length > 0, 'the runtime uses packages');
    const wrong = packages
      .filter(({ specifier }) => !(packageName(specifier) in manifest.dependencies))
      .map(({ file, specifier }) => `edge/${file}: ${specifier} (${packageName(specifier) in manifest.devDependencies ? 'a devDependency' : 'not a dependency'})`);
    assert.deepEqual(wrong, []);
  });

  it('leaves spawning processes to edge/process alone', () => {
    const spawning = imports.filter(({ specifier }) => specifier === 'node:child_process' || specifier === 'child_process').map(({ file }) => file);
    assert.deepEqual(spawning, ['process/tool.js']);
  });
});
