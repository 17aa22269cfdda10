/** Headless Debian Chromium through playwright-core, with a throwaway profile. */
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import type { Toolchain } from './toolchain';
import { xdgEnv } from './vscodeServer';

/** Flags that work on these machines (no sandbox in containers, no GPU, no background traffic). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches Chromium with a fresh profile in `stateDir/chrome`. Playwright refuses
 * `--user-data-dir` in args, hence `launchPersistentContext`.
 */
export async function launchChromium(toolchain: Toolchain, stateDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(`${stateDir}/chrome`, {
    executablePath: toolchain.chromium,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1440, height: 900 },
    env: { ...process.env, ...xdgEnv(stateDir) },
    // Playwright's own handlers would exit the process on Ctrl+C before we clean up.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}
