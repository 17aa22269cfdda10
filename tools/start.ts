/**
 * `npm run start`: run the product. Builds, finds Ollama (or starts the built-in
 * simulator when none answers), and opens the extension on examples/ in a real VS Code:
 * the `code` CLI when it is on PATH, otherwise code-server (from the test harness's
 * cache) in the browser. Stays in the foreground; Ctrl+C stops everything it started.
 *
 *   npm run start                 the route above
 *   npm run start -- --browser    code-server even when `code` is on PATH
 *
 * Env: OLLAMA_HOST (default http://127.0.0.1:11434); PROMPT_LOOP_PORT (code-server's
 * port, default a free one).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveOllamaHost } from '../src/core/ollamaClient';
import { ensureToolchain, repoRoot } from '../test/harness/toolchain';
import { freePort, quietSettings, xdgEnv } from '../test/harness/vscodeServer';

const examples = path.join(repoRoot, 'examples');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Something started here that Ctrl+C must stop, newest first. */
const cleanups: { what: string; run: () => Promise<void> | void }[] = [];

function say(message: string): void {
  console.log(`[start] ${message}`);
}

function build(): void {
  say('building (node esbuild.mjs)');
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the build failed; fix the errors above and run npm run start again');
}

/** True when something at `host` answers Ollama's `GET /api/version` within 2 s. */
async function ollamaAnswers(host: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/api/version', host), { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The real Ollama if one answers, else the simulator on a free port (stopped on exit). */
async function ollamaHost(): Promise<string> {
  const host = resolveOllamaHost(undefined, process.env.OLLAMA_HOST);
  if (await ollamaAnswers(host)) {
    say(`Ollama answered at ${host}`);
    return host;
  }
  // Loaded only when needed, so a broken simulator never stands between a user and a real Ollama.
  const { startSimulator } = await import('./simulator/server.js');
  const simulator = await startSimulator({ port: 0 });
  cleanups.push({ what: 'the Ollama simulator', run: () => simulator.close() });
  say(`No Ollama answered at ${host}; using the built-in simulator at ${simulator.url}; answers are synthetic.`);
  return simulator.url;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Desktop VS Code: a new Extension Development Host window on examples/. */
function openInCode(code: string, host: string): ChildProcess {
  say(`opening VS Code: code --extensionDevelopmentPath=${repoRoot} ${examples}`);
  // OLLAMA_HOST reaches the extension host through the CLI's environment.
  const child = spawn(code, ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, examples], {
    env: { ...process.env, OLLAMA_HOST: host },
    stdio: 'inherit',
  });
  cleanups.push({ what: 'the code CLI', run: () => void (child.exitCode === null && child.kill('SIGTERM')) });
  return child;
}

function extensionFolderName(): string {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`;
}

/**
 * code-server in the browser. The extension is "installed" as a symlink to the repo in a
 * fresh extensions dir (code-server registers every folder it finds there on first start),
 * so a rebuild plus "Developer: Reload Window" picks up changes.
 */
async function openInCodeServer(host: string): Promise<ChildProcess> {
  const toolchain = await ensureToolchain();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'prompt-loop-start-'));
  const extensionsDir = path.join(stateDir, 'extensions');
  const link = path.join(extensionsDir, extensionFolderName());
  cleanups.push({
    what: 'the temporary profile',
    run: () => {
      // Unlink first: the link points at the repo, which must never be part of a recursive delete.
      try {
        unlinkSync(link);
      } catch {
        // never created
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  });
  mkdirSync(extensionsDir, { recursive: true });
  symlinkSync(repoRoot, link, 'dir');
  const userData = path.join(stateDir, 'user-data');
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(quietSettings, null, 2));

  const port = Number(process.env.PROMPT_LOOP_PORT) || (await freePort());
  const child = spawn(
    toolchain.node24,
    [
      toolchain.codeServer,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userData,
      '--extensions-dir', extensionsDir,
    ],
    // Own process group, so Ctrl+C stops its extension host and helpers too.
    { env: { ...process.env, ...xdgEnv(stateDir), OLLAMA_HOST: host }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start code-server');
  const log = path.join(stateDir, 'code-server.log');
  const logLines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.setEncoding('utf8').on('data', (d: string) => logLines.push(d));
  cleanups.push({
    what: 'code-server',
    run: async () => {
      writeFileSync(log, logLines.join(''));
      const kill = (signal: NodeJS.Signals) => {
        try {
          process.kill(-pid, signal);
        } catch {
          // already gone
        }
      };
      kill('SIGTERM');
      await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(3000)]);
      kill('SIGKILL');
    },
  });

  const origin = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 200) {
    if (child.exitCode !== null) throw new Error(`code-server exited at start:\n${logLines.join('').slice(-2000)}`);
    try {
      await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (waited > 60_000) throw new Error('code-server did not answer within 60 s');
      await sleep(200);
    }
  }
  const url = `${origin}/?folder=${encodeURIComponent(examples)}`;
  say(`Prompt Loop is running in code-server. Open this in your browser:\n\n    ${url}\n`);
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
    const opener = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
    opener.on('error', () => undefined);
    opener.unref();
  }
  return child;
}

let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (cleanups.length) say('stopping…');
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup.run();
      } catch (err) {
        console.error(`[start] could not stop ${cleanup.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  build();
  const host = await ollamaHost();
  const code = process.argv.includes('--browser') ? undefined : onPath('code');
  const child = code ? openInCode(code, host) : await openInCodeServer(host);
  child.on('exit', (status) => {
    if (stopping) return;
    if (code) {
      // The CLI may hand over to a running VS Code and return at once: stay up (the
      // simulator may be serving that window) until Ctrl+C.
      if (status) say(`the code CLI exited with ${status}.`);
    } else {
      say(`code-server exited unexpectedly (code ${status}).`);
      void stopAll(1);
    }
  });
  say('Ctrl+C stops everything started here.');
  // Stay in the foreground even when nothing here holds the event loop open (real Ollama + `code`).
  setInterval(() => undefined, 60_000);
}

main().catch((err: unknown) => {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  void stopAll(1);
});
