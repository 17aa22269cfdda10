/**
 * The real-VS-Code toolchain (Node 24, code-server's VS Code server, Chromium) that
 * setup.sh installs once into a cache outside the repo.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Paths printed by setup.sh. */
export interface Toolchain {
  node24: string;
  serverMain: string;
  codeServer: string;
  chromium: string;
}

export const repoRoot = path.resolve(__dirname, '..', '..');

/**
 * Runs setup.sh (idempotent: instant when everything is cached) and returns its paths.
 * Its progress goes to our stderr; its last stdout line is the JSON.
 */
export async function ensureToolchain(): Promise<Toolchain> {
  const script = path.join(repoRoot, 'test', 'harness', 'setup.sh');
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited with ${code}`))));
  });
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`setup.sh printed no JSON line:\n${stdout}`);
  const toolchain = JSON.parse(line) as Toolchain;
  for (const key of ['node24', 'serverMain', 'chromium'] as const) {
    if (!toolchain[key] || !existsSync(toolchain[key])) throw new Error(`setup.sh says ${key} is ${toolchain[key]}, which does not exist`);
  }
  return toolchain;
}
