/**
 * Starts the VS Code server bundled in code-server (`server-main.js`) on 127.0.0.1,
 * with fresh state dirs, and stops it together with everything it spawned.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Toolchain } from './toolchain';

export interface VscodeServerOptions {
  toolchain: Toolchain;
  /** Holds user data, server data, extensions and XDG dirs; created if missing. */
  stateDir: string;
  /** Default: a free port. */
  port?: number;
  /** Require `?tkn=<token>` on first load; default: no token (`--without-connection-token`). */
  connectionToken?: string;
  /**
   * Needed for the workbench to honour `extensionDevelopmentPath` / `extensionTestsPath`
   * from the URL payload in a built VS Code.
   */
  smokeTestDriver?: boolean;
  /** Extra env for the server; the extension host inherits it. */
  env?: Record<string, string>;
  /** Variables of our own env that the server (and so the extension host) must not see. */
  unsetEnv?: string[];
  /** Merged over the quiet defaults below. */
  settings?: Record<string, unknown>;
  /** Each line the server prints. */
  onOutput?: (line: string) => void;
  /** Keep workspace trust on (folders open in Restricted Mode until trusted); default off. */
  workspaceTrust?: boolean;
}

export interface VscodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  pid: number;
  /** Resolves when the server process exits (crash or stop). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** `vscode-remote://` URI of a path on this machine, as the workbench payload wants it. */
  remoteUri(fsPath: string): string;
  /** Workbench URL that opens `folder`, optionally with a test/development payload. */
  workbenchUrl(folder: string, payload?: [string, string][]): string;
  /** SIGTERM to the whole process group, SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
}

/** Settings that keep a fresh profile quiet: no welcome page, trust prompt or update checks. */
export const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'update.showReleaseNotes': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** A port nobody listens on right now (tiny race with other processes; acceptable here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Env for processes that would otherwise write into ~/.config, ~/.local/share, ~/.cache. */
export function xdgEnv(stateDir: string): Record<string, string> {
  const xdg = (name: string) => {
    const dir = path.join(stateDir, 'xdg', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  return { XDG_CONFIG_HOME: xdg('config'), XDG_DATA_HOME: xdg('data'), XDG_CACHE_HOME: xdg('cache'), XDG_STATE_HOME: xdg('state') };
}

/** Starts the server and resolves once it answers HTTP; rejects if it dies first or takes over 60 s. */
export async function startVscodeServer(options: VscodeServerOptions): Promise<VscodeServer> {
  const { toolchain, stateDir } = options;
  const port = options.port ?? (await freePort());
  const dir = (name: string) => {
    const d = path.join(stateDir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const userData = dir('user-data');
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  const trust = options.workspaceTrust ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' } : {};
  writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...trust, ...options.settings }, null, 2));

  const args = [
    toolchain.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--accept-server-license-terms',
    '--disable-telemetry',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', userData,
    '--server-data-dir', dir('server-data'),
    '--extensions-dir', dir('extensions'),
    ...(options.connectionToken ? ['--connection-token', options.connectionToken] : ['--without-connection-token']),
    ...(options.smokeTestDriver ? ['--enable-smoke-test-driver'] : []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, ...xdgEnv(stateDir), ...options.env };
  for (const name of options.unsetEnv ?? []) delete env[name];
  const child = spawn(toolchain.node24, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so stop() reaches the extension host and helpers too.
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${toolchain.node24}`);

  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onOutput?.(line);
    });
  }

  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
  });

  const origin = `http://127.0.0.1:${port}`;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is already gone
    }
  };
  let stopping: Promise<void> | undefined;
  const server: VscodeServer = {
    port,
    origin,
    pid,
    exited,
    remoteUri: (fsPath) => `vscode-remote://127.0.0.1:${port}${fsPath}`,
    workbenchUrl: (folder, payload) => {
      const query = [`folder=${encodeURIComponent(folder)}`];
      if (payload) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      if (options.connectionToken) query.push(`tkn=${encodeURIComponent(options.connectionToken)}`);
      return `${origin}/?${query.join('&')}`;
    },
    stop: () =>
      (stopping ??= (async () => {
        killGroup('SIGTERM');
        await Promise.race([exited, sleep(3000)]);
        // The leader may be gone while an extension host lingers in its group.
        await sleep(200);
        killGroup('SIGKILL');
      })()),
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!alive) {
      const { code, signal } = await exited;
      throw new Error(`VS Code server exited during startup (code ${code}, signal ${signal})`);
    }
    try {
      await fetch(`${origin}/version`, { signal: AbortSignal.timeout(2000) });
      return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error('VS Code server did not answer within 60 s');
    }
    await sleep(200);
  }
}
