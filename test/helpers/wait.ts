/**
 * Polls `check` until it returns true. The limit is a safety net against a hung test, never an assertion about
 * speed: it is set far above what the condition needs on a loaded machine.
 */
export async function waitFor(what: string, check: () => boolean, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${String(limitMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `waitFor` for a check that has to ask something asynchronously (an HTTP endpoint, a file read). */
export async function waitForAsync(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${String(limitMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
