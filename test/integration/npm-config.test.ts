import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { packageRoot } from '../helpers/footage.js';

it('npm commands in the checkout print no config warnings, and onnxruntime-node\'s install script (the CUDA download) stays denied', () => {
  const root = packageRoot();
  const result = spawnSync('npm', ['pkg', 'get', 'name'], { cwd: root, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), '"huxiao-edge"');
  assert.doesNotMatch(result.stderr, /Unknown (project|env) config/);
  // npm runs a dependency's install script only when allowScripts allows it; false skips it silently.
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  assert.equal(manifest.allowScripts?.['onnxruntime-node'], false);
});
