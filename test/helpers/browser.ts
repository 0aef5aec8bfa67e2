import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (scripts/setup.sh installs it); playwright-core drives it, it downloads no browser of its own. */
export const CHROMIUM = process.env.HUXIAO_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium calls home at start (component updates, sync, QUIC probes) and
 * this machine's closed network refuses those connections; headless, no sandbox (root in a container), no GPU.
 */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where browser tests save their screenshots: .cache/artifacts/web/ of the checkout (gitignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../../.cache/artifacts/web/', import.meta.url));

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile in a temporary directory, removed on close; a phone-sized or laptop viewport. */
export async function launchBrowser(viewport: { width: number; height: number } = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'huxiao-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
