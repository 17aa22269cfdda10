/**
 * The lock that keeps two processes (a VS Code window and the CLI, say) from
 * writing one store at once: a file created with O_EXCL, holding who holds it.
 * It is held only around one batch of read-modify-writes (milliseconds), so a
 * lock much older than that belongs to a process that died or hung.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { errorCode } from './jsonlFile';

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** Epoch ms (the holder's clock). */
  createdAt: number;
  token: string;
}

/** Another process held the lock for the whole wait. */
export class LockTimeoutError extends Error {
  constructor(
    readonly lockFile: string,
    /** Undefined when the lock file could not be read (being written, or not ours). */
    readonly holder: LockHolder | undefined,
    readonly waitedMs: number,
  ) {
    super(`Timed out after ${waitedMs} ms waiting for ${lockFile}, held by ${describeHolder(holder)}.`);
  }
}

export interface StoreLockOptions {
  timeoutMs: number;
  /** A lock older than this is broken, whoever holds it. */
  staleMs: number;
}

/** A cross-process lock on one file; `acquire` and `release` must alternate. */
export class StoreLock {
  private token: string | undefined;
  private readonly host = hostname();

  constructor(
    readonly file: string,
    private readonly options: StoreLockOptions,
  ) {}

  /** Waits for the lock; throws LockTimeoutError, or the fs error when the folder is unwritable. */
  async acquire(): Promise<void> {
    const started = Date.now();
    let delay = 1;
    for (;;) {
      const token = randomBytes(8).toString('hex');
      if (await this.tryCreate(token)) {
        this.token = token;
        return;
      }
      const current = await readLock(this.file);
      if (current === undefined) continue; // released meanwhile: try again at once
      if (this.isStale(current)) {
        await breakLock(this.file, current.text);
        continue;
      }
      const waited = Date.now() - started;
      if (waited >= this.options.timeoutMs) throw new LockTimeoutError(this.file, current.holder, waited);
      // Jitter keeps two waiters from retrying in lockstep.
      await sleep(Math.min(delay, this.options.timeoutMs - waited) * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 20);
    }
  }

  /** Removes the lock file if it is still ours (it may have been broken as stale). */
  async release(): Promise<void> {
    const token = this.token;
    this.token = undefined;
    if (token === undefined) return;
    const current = await readLock(this.file);
    if (current?.holder?.token === token) await rm(this.file, { force: true });
  }

  private async tryCreate(token: string): Promise<boolean> {
    const holder: LockHolder = { pid: process.pid, hostname: this.host, createdAt: Date.now(), token };
    let handle;
    try {
      handle = await open(this.file, 'wx');
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      if (errorCode(error) !== 'ENOENT') throw error;
      await mkdir(dirname(this.file), { recursive: true });
      return this.tryCreate(token);
    }
    try {
      await handle.writeFile(JSON.stringify(holder));
    } finally {
      await handle.close();
    }
    return true;
  }

  private isStale(current: { holder: LockHolder | undefined; mtimeMs: number }): boolean {
    const { holder } = current;
    // Take the younger of the two ages: the holder's clock may differ from ours.
    const age = Date.now() - Math.max(current.mtimeMs, holder?.createdAt ?? 0);
    if (age > this.options.staleMs) return true;
    return holder !== undefined && holder.hostname === this.host && !isAlive(holder.pid);
  }
}

/** Says who holds a lock, for messages. */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'an unknown process (its lock file could not be read)';
  const age = Math.max(0, Math.round((Date.now() - holder.createdAt) / 1000));
  return `process ${holder.pid} on ${holder.hostname} (since ${new Date(holder.createdAt).toISOString()}, ${age} s ago)`;
}

async function readLock(file: string): Promise<{ text: string; holder: LockHolder | undefined; mtimeMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, holder: parseHolder(text), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder> | null;
    if (value && typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.createdAt === 'number' && typeof value.token === 'string') {
      return value as LockHolder;
    }
  } catch {
    // Empty while its creator is still writing it, or not a lock of ours.
  }
  return undefined;
}

/**
 * Breaks a stale lock. Two processes may judge it stale at once; renaming it away
 * first (atomic) and checking it is the lock judged stale keeps the slower one from
 * deleting a fresh lock the faster one just took: that one is put back.
 */
async function breakLock(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  const taken = await readFile(aside, 'utf8').catch(() => staleText);
  if (taken !== staleText) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

/** Whether a process with this pid runs on this machine (the lock's and the run owner's liveness check). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return errorCode(error) === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
