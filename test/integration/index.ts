/**
 * Entry point of the integration tests inside the real VS Code extension host (the
 * workbench loads it as `extensionTestsPath`; run them with `npm run test:vscode`).
 *
 * To add a suite: write `test/integration/<name>.test.ts` using mocha's TDD globals
 * (`suite`, `test`, `suiteSetup`, …) and add one line to `suites` below:
 * `() => import('./<name>.test.js'),` (the `.js` is what TypeScript's Node16
 * resolution wants; esbuild finds the `.ts`). UI helpers are in ./uiBridge.
 *
 * Why `import()` and not a static import: esbuild bundles the suites into this file,
 * and a suite's top level calls `suite(...)`, which exists only after mocha's
 * `pre-require` event. esbuild turns each `import()` into a lazy initializer that runs
 * when called, so the suites execute after the globals are in place.
 *
 * Env (set by test/harness/runRealVscode.ts): PROMPT_LOOP_TEST_GREP keeps only tests
 * whose full title contains that text; PROMPT_LOOP_UI_BRIDGE is the UI bridge's URL.
 */
import Mocha from 'mocha';
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { phaseEnvVar } from '../harness/uiBridgeProtocol';
import { screenshot, uiBridgeAvailable } from './uiBridge';

/**
 * Phase 1 runs first; phase 2 after the harness reloaded the window (what must survive a
 * reload); phase 3 in another VS Code with workspace trust on, in an untrusted folder.
 */
const suites: Record<1 | 2 | 3, (() => Promise<unknown>)[]> = {
  1: [
    () => import('./smoke.test.js'),
    () => import('./runPrompt.test.js'),
    () => import('./sweep.test.js'),
    () => import('./security.test.js'),
    () => import('./faults.test.js'),
    () => import('./scale.test.js'),
    // Last: the reload phase checks what this suite leaves behind.
    () => import('./feedback.test.js'),
  ],
  2: [() => import('./afterReload.test.js')],
  3: [() => import('./restricted.test.js')],
};

/** The phase the harness says this is (1 when run without the harness). */
function currentPhase(): 1 | 2 | 3 {
  const file = process.env[phaseEnvVar];
  try {
    const phase = file ? readFileSync(file, 'utf8').trim() : '1';
    return phase === '2' ? 2 : phase === '3' ? 3 : 1;
  } catch {
    return 1;
  }
}

/** Prefix of the machine-readable lines the outer runner counts and hides. */
const eventPrefix = 'PROMPT_LOOP_EVENT ';
/**
 * Prefix of everything printed through `console` in the extension host while the tests
 * run (mocha's report, the tests, the extension). The workbench forwards it to the
 * runner mixed with its own log lines; the prefix is how the runner tells them apart.
 */
const outputPrefix = 'PROMPT_LOOP_OUT ';

const send = console.log.bind(console);

function emit(event: Record<string, unknown>): void {
  send(eventPrefix + JSON.stringify(event));
}

/**
 * Routes the extension host's console through `outputPrefix`. VS Code's console
 * forwarder makes `console.log` & co. accessors whose setters ignore assignments, so
 * the global `console` itself is replaced by an object that inherits from it (code
 * reads the global at call time); mocha's reporters keep their own reference.
 */
function prefixConsole(): () => void {
  const original = globalThis.console;
  const prefixed = Object.create(original) as Console;
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    // defineProperty, not assignment: assigning would hit the forwarder's inherited no-op setter.
    Object.defineProperty(prefixed, method, {
      value: (...args: unknown[]) => original[method](outputPrefix + format(...args)),
      configurable: true,
      writable: true,
    });
  }
  globalThis.console = prefixed;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => prefixed.log(...args);
  return () => {
    globalThis.console = original;
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => original.log(...args);
  };
}

/** Runs every suite; resolves when all pass, rejects with the failure count otherwise. */
export async function run(): Promise<void> {
  const restoreConsole = prefixConsole();
  try {
    await runSuites();
  } finally {
    restoreConsole();
  }
}

async function runSuites(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env.PROMPT_LOOP_TEST_GREP;
  if (grep) mocha.grep(grep);

  // One screenshot per failed test, named after it, so the failure can be seen.
  mocha.suite.afterEach(async function () {
    const current = this.currentTest;
    if (current?.state === 'failed' && uiBridgeAvailable()) {
      try {
        const file = await screenshot(`failed-${current.fullTitle()}`);
        console.log(`    screenshot: ${file}`);
      } catch (err) {
        console.log(`    (no screenshot: ${err instanceof Error ? err.message : String(err)})`);
      }
    }
  });

  mocha.suite.emit('pre-require', globalThis, 'bundle', mocha);
  try {
    for (const load of suites[currentPhase()]) await load();
  } catch (err) {
    // VS Code reports a runner error only to the browser console: say it where it is seen.
    console.error(`Could not load the test suites: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    emit({ event: 'end', passed: 0, failed: 1, pending: 0 });
    throw err;
  }

  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((count) => resolve(count));
    runner.on('pass', (t) => emit({ event: 'pass', title: t.fullTitle() }));
    runner.on('fail', (t, err: unknown) =>
      emit({ event: 'fail', title: t.fullTitle(), error: err instanceof Error ? err.message : String(err) }),
    );
    runner.on('end', () =>
      emit({ event: 'end', passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 }),
    );
  });
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
