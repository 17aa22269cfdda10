/**
 * Who runs a run, and whether a 'running' run is still being run. A process that
 * dies mid-sweep (SIGKILL, crash, power cut) leaves its run file saying 'running';
 * readers report such a run as 'interrupted' without rewriting the file, since a
 * live writer elsewhere may still own it and will write it again.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RunOwner, RunRecord } from './records';
import { isAlive } from './storeLock';

/** A run without an owner (written before owners were recorded) whose file is older than this is taken as interrupted. */
export const ownerlessRunTimeoutMs = 10 * 60_000;

const self: RunOwner = { pid: process.pid, host: hostname(), startedAt: Math.round(performance.timeOrigin) };

/** This process as the owner of a run it writes (`host` is os.hostname(), read once). */
export function ownerInfo(): RunOwner {
  return { ...self };
}

/**
 * The run as a reader should see it: a 'running' run is 'interrupted' when its owner
 * is a process on this host that is no longer alive (or is this pid reused by this
 * later process), or when it has no owner and its file was last written more than
 * 10 minutes ago (`mtimeMs`, the file system's clock). A run owned on another host
 * is taken as running: whether that process lives cannot be told from here.
 */
export function reportedRun(run: RunRecord, mtimeMs: number | undefined, now = Date.now()): RunRecord {
  if (run.state !== 'running') return run;
  const owner = validOwner(run.owner);
  const gone = owner
    ? owner.host === self.host && (owner.pid === self.pid ? owner.startedAt !== self.startedAt : !isAlive(owner.pid))
    : mtimeMs !== undefined && now - mtimeMs > ownerlessRunTimeoutMs;
  return gone ? { ...run, state: 'interrupted' } : run;
}

/** The owner, if it is well formed (a hand-edited or foreign file may hold anything). */
function validOwner(owner: unknown): RunOwner | undefined {
  if (owner === null || typeof owner !== 'object') return undefined;
  const { pid, host, startedAt } = owner as Partial<RunOwner>;
  return Number.isInteger(pid) && (pid as number) > 0 && typeof host === 'string' && host.length > 0 && typeof startedAt === 'number'
    ? (owner as RunOwner)
    : undefined;
}
