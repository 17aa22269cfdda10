/**
 * `npm run test:vscode`: runs the integration tests (test/integration, bundled to
 * out/test/integration/index.js) inside a real VS Code extension host: the VS Code
 * server bundled in code-server, with headless Chromium loading the workbench.
 *
 * Env:
 *   PROMPT_LOOP_TEST_GREP        only tests whose full title contains this text
 *   PROMPT_LOOP_TEST_TIMEOUT_MS  overall limit (default 15 min)
 *   PROMPT_LOOP_SCREENSHOT_DIR   where screenshots go (default test-results/)
 *   PROMPT_LOOP_KEEP_TMP=1       keep the temp dir (workspace, profiles, logs) for debugging
 *   PROMPT_LOOP_VERBOSE=1        also print the server's output and every workbench log line
 *   PROMPT_LOOP_SKIP_BUILD=1     do not rebuild stale bundles
 *   PROMPT_LOOP_THEME            a colour theme for the workbench, e.g. "Default Dark Modern"
 *   PROMPT_LOOP_SKIP_RELOAD=1    skip phase 2 (the window reload and the suites that check what survives it)
 *   PROMPT_LOOP_SKIP_RESTRICTED=1 skip phase 3 (a VS Code with workspace trust on, an untrusted folder)
 *
 * Prints the extension host's mocha output and ends with one line `N passed, N failed`;
 * exits non-zero on any failure, timeout, server crash or browser crash.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { ensureToolchain, repoRoot } from './toolchain';
import { startUiBridgeServer } from './uiBridgeServer';
import type { UiBridgeServer } from './uiBridgeServer';
import { phaseEnvVar, uiBridgeEnvVar } from './uiBridgeProtocol';
import { startVscodeServer } from './vscodeServer';
import type { VscodeServer } from './vscodeServer';

const env = process.env;
const timeoutMs = Number(env.PROMPT_LOOP_TEST_TIMEOUT_MS) || 15 * 60_000;
const keepTmp = env.PROMPT_LOOP_KEEP_TMP === '1';
const verbose = env.PROMPT_LOOP_VERBOSE === '1';
const screenshotDir = path.resolve(env.PROMPT_LOOP_SCREENSHOT_DIR || path.join(repoRoot, 'test-results'));
const extensionBundle = path.join(repoRoot, 'dist', 'extension.js');
const testsBundle = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
/** Prefixes of the extension host's lines, set by test/integration/index.ts. */
const eventPrefix = 'PROMPT_LOOP_EVENT ';
const outputPrefix = 'PROMPT_LOOP_OUT ';

/** How the run ended, before counting. */
type Outcome =
  | { kind: 'exit'; code: number }
  | { kind: 'timeout' }
  | { kind: 'server-crash'; detail: string }
  | { kind: 'browser-crash'; detail: string }
  | { kind: 'interrupted' };

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a bare `npm run test:vscode` rebuilds when a bundle is older than its sources. */
function buildIfStale(): void {
  if (env.PROMPT_LOOP_SKIP_BUILD === '1') return;
  const sources = Math.max(...['src', 'webview', 'test/integration', 'test/harness'].map((d) => newestMtime(path.join(repoRoot, d))));
  const bundles = [extensionBundle, testsBundle].map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0));
  if (Math.min(...bundles) >= sources) return;
  console.log('[harness] bundles missing or stale: node esbuild.mjs');
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build failed (node esbuild.mjs)');
}

/** A copy of examples/ without any local run store, so every run starts from the same files. */
function prepareWorkspace(tmp: string): string {
  const workspace = path.join(tmp, 'workspace');
  const examples = path.join(repoRoot, 'examples');
  if (existsSync(examples)) {
    cpSync(examples, workspace, { recursive: true, filter: (src) => path.basename(src) !== '.promptloop' });
  } else {
    console.log('[harness] examples/ not found; using an empty workspace');
  }
  mkdirSync(workspace, { recursive: true });
  return workspace;
}

/** Keeps the last lines of a noisy stream for the failure report. */
class Tail {
  private lines: string[] = [];
  constructor(private readonly max: number) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const toolchain = await ensureToolchain();
  buildIfStale();
  for (const bundle of [extensionBundle, testsBundle]) {
    if (!existsSync(bundle)) throw new Error(`${path.relative(repoRoot, bundle)} is missing: run npm run build`);
  }

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'prompt-loop-vscode-'));
  const serverLog = new Tail(400);
  let server: VscodeServer | undefined;
  let bridge: UiBridgeServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let closingBrowser = false;
  let passed = 0;
  let failed = 0;
  let summary: { passed: number; failed: number } | undefined;
  // One outcome per phase; crashes, timeouts and Ctrl+C settle whichever phase is running.
  let settle: (outcome: Outcome) => void = () => undefined;
  let outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  const onSignal = () => settle({ kind: 'interrupted' });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);

  try {
    const workspace = prepareWorkspace(tmp);
    bridge = await startUiBridgeServer({ getPage: () => page, screenshotDir });

    // Phase 1 runs the suites; phase 2 reloads the window (a new extension host, the same
    // profile and workspace) and runs the suites that check what must survive a reload.
    const phaseFile = path.join(tmp, 'phase');
    writeFileSync(phaseFile, '1');
    const serverEnv: Record<string, string> = { [uiBridgeEnvVar]: bridge.url, PROMPT_LOOP_SCREENSHOT_DIR: screenshotDir, [phaseEnvVar]: phaseFile };
    if (env.PROMPT_LOOP_TEST_GREP) serverEnv.PROMPT_LOOP_TEST_GREP = env.PROMPT_LOOP_TEST_GREP;
    server = await startVscodeServer({
      toolchain,
      stateDir: tmp,
      smokeTestDriver: true,
      env: serverEnv,
      settings: env.PROMPT_LOOP_THEME ? { 'workbench.colorTheme': env.PROMPT_LOOP_THEME } : {},
      // Tests must not reach whatever Ollama the developer's shell points at.
      unsetEnv: ['OLLAMA_HOST'],
      onOutput: (line) => {
        serverLog.push(line);
        if (verbose) console.log(`[server] ${line}`);
      },
    });
    console.log(`[harness] VS Code server ready after ${elapsed(started)}`);
    let replacingServer = false;
    void server.exited.then(({ code, signal }) => {
      if (!replacingServer) settle({ kind: 'server-crash', detail: `code ${code}, signal ${signal}` });
    });

    context = await launchChromium(toolchain, tmp);
    context.on('close', () => {
      if (!closingBrowser) settle({ kind: 'browser-crash', detail: 'the browser closed unexpectedly' });
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('crash', () => settle({ kind: 'browser-crash', detail: 'the workbench page crashed' }));
    if (verbose) page.on('pageerror', (err) => console.log(`[page error] ${err.message}`));
    // Errors inside webviews are the product's own (the panel's script): always show them.
    // (The context sees the webview frames' console; page.on('console') missed them here.)
    context.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location().url;
      // Known noise: code-server's service worker is not served by the bare VS Code server.
      if (msg.text().includes('when fetching the script')) return;
      const inWebview = where === '' || /webview|vscode-resource|vscode-cdn/.test(where);
      if (inWebview || verbose) console.log(`[${inWebview ? 'webview' : 'workbench'} console.error] ${msg.text()}${where ? ` (${where})` : ''}`);
    });

    // The workbench reports through these when started with --enable-smoke-test-driver:
    // every log line (the extension host's console among them) and the test exit code.
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
      if (text.startsWith(outputPrefix)) {
        console.log(text.slice(outputPrefix.length));
      } else if (text.startsWith(eventPrefix)) {
        const event = JSON.parse(text.slice(eventPrefix.length)) as { event: string; passed?: number; failed?: number };
        if (event.event === 'pass') passed++;
        else if (event.event === 'fail') failed++;
        else if (event.event === 'end') summary = { passed: event.passed ?? passed, failed: event.failed ?? failed };
      } else if (verbose || (level !== 'info' && /promptloop|prompt-loop|extension host/i.test(text))) {
        console.log(`[workbench ${level}] ${text}`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => settle({ kind: 'exit', code }));

    const url = server.workbenchUrl(workspace, [
      ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
      ['extensionTestsPath', server.remoteUri(testsBundle)],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(url);
    console.log(`[harness] workbench loaded after ${elapsed(started)}; tests run in the extension host`);

    let result = await outcome;
    // Log lines and the exit call travel separately; let the last lines land.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The exposed functions update these behind TypeScript's back: read them through a call.
    const counted = (): { passed: number; failed: number } => summary ?? { passed, failed };
    let totals = counted();
    if (result.kind === 'exit' && summary && env.PROMPT_LOOP_SKIP_RELOAD !== '1') {
      writeFileSync(phaseFile, '2');
      summary = undefined;
      passed = 0;
      failed = 0;
      outcome = new Promise<Outcome>((resolve) => (settle = resolve));
      console.log(`[harness] reloading the window (phase 2) after ${elapsed(started)}`);
      // A page reload: the web workbench's "Reload Window" shuts down in a way that does not
      // revive webview panels here, while a reload does.
      await page.reload();
      result = await outcome;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = counted();
      totals = { passed: totals.passed + second.passed, failed: totals.failed + second.failed };
    }
    if (result.kind === 'exit' && summary && env.PROMPT_LOOP_SKIP_RESTRICTED !== '1') {
      // Phase 3: another VS Code with workspace trust on, and a folder that names its own
      // Ollama host: it opens in Restricted Mode (restricted.test.ts checks the host is not used).
      writeFileSync(phaseFile, '3');
      summary = undefined;
      passed = 0;
      failed = 0;
      outcome = new Promise<Outcome>((resolve) => (settle = resolve));
      replacingServer = true;
      await server.stop();
      const untrusted = path.join(tmp, 'untrusted');
      cpSync(path.join(repoRoot, 'examples'), untrusted, { recursive: true, filter: (src) => path.basename(src) !== '.promptloop' });
      mkdirSync(path.join(untrusted, '.vscode'), { recursive: true });
      writeFileSync(path.join(untrusted, '.vscode', 'settings.json'), JSON.stringify({ 'promptLoop.ollamaHost': 'http://127.0.0.1:9' }, null, 2));
      server = await startVscodeServer({
        toolchain,
        stateDir: path.join(tmp, 'restricted-state'),
        smokeTestDriver: true,
        workspaceTrust: true,
        env: serverEnv,
        unsetEnv: ['OLLAMA_HOST'],
        onOutput: (line) => {
          serverLog.push(line);
          if (verbose) console.log(`[server] ${line}`);
        },
      });
      const restrictedServer = server;
      void restrictedServer.exited.then(({ code, signal }) => settle({ kind: 'server-crash', detail: `code ${code}, signal ${signal}` }));
      console.log(`[harness] an untrusted folder in a VS Code with workspace trust on (phase 3) after ${elapsed(started)}`);
      await page.goto(restrictedServer.workbenchUrl(untrusted, [
        ['extensionDevelopmentPath', restrictedServer.remoteUri(repoRoot)],
        ['extensionTestsPath', restrictedServer.remoteUri(testsBundle)],
        ['skipWelcome', 'true'],
      ]));
      result = await outcome;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const third = counted();
      totals = { passed: totals.passed + third.passed, failed: totals.failed + third.failed };
    }

    let problem: string | undefined;
    switch (result.kind) {
      case 'exit':
        if (!summary) problem = `the extension host exited (code ${result.code}) without a mocha result`;
        else if (result.code !== 0 && summary.failed === 0) problem = `the extension host exited with code ${result.code}`;
        break;
      case 'timeout':
        problem = `timed out after ${timeoutMs / 1000} s (PROMPT_LOOP_TEST_TIMEOUT_MS)`;
        break;
      case 'server-crash':
        problem = `the VS Code server exited (${result.detail})`;
        break;
      case 'browser-crash':
        problem = result.detail;
        break;
      case 'interrupted':
        problem = 'interrupted';
        break;
    }

    const counts = totals;
    if (problem) {
      console.log(`[harness] ${problem}`);
      if (result.kind !== 'interrupted') await reportProblem(page, serverLog);
      counts.failed = Math.max(counts.failed, 1);
    }
    console.log(`[harness] finished in ${elapsed(started)}`);
    console.log(`${counts.passed} passed, ${counts.failed} failed`);
    if (result.kind === 'interrupted') return 130;
    return counts.failed > 0 ? 1 : 0;
  } finally {
    clearTimeout(timer);
    closingBrowser = true;
    await context?.close().catch(() => undefined);
    await server?.stop();
    await bridge?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (keepTmp) console.log(`[harness] kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

/** A screenshot and the server's recent output, for runs that ended badly. */
async function reportProblem(page: Page | undefined, serverLog: Tail): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const logFile = path.join(screenshotDir, 'vscode-server.log');
  writeFileSync(logFile, serverLog.toString() + '\n');
  console.log(`[harness] server output: ${logFile}`);
  if (page && !page.isClosed()) {
    const file = path.join(screenshotDir, 'harness-failure.png');
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
      console.log(`[harness] screenshot: ${file}`);
    } catch (err) {
      console.log(`[harness] no screenshot: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[harness] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
