/**
 * The sweep scheduler: sends a sweep's requests to one or more Ollama hosts.
 *
 * - At most `slots` requests in flight per host, never more.
 * - Model by model: every free slot of a host keeps to the model the host is on
 *   until its cells run out, so a sweep over more models than the server keeps
 *   loaded does not reload models back and forth. While a model has cells left
 *   its requests ask Ollama to keep it loaded (`keep_alive`).
 * - Several hosts: a cell goes only to a host that has its model; an idle host
 *   prefers a model no other host is on, so the load spreads.
 * - Transient faults (a cut stream, a timeout, a 5xx, a server gone away) are
 *   retried a few times with a growing pause; other failures are reported at once.
 *   A model a host turns out not to have moves its cells to another host that
 *   has it, or fails them all without more requests.
 * - Cancelling stops the streams in flight (their partial text is kept) and
 *   every queued cell; what finished stays finished.
 */
import { modelMatches } from '../analysis';
import type { ChatClient, ChatOutcome } from '../ollamaClient';
import { isTransientError, streamChat } from '../ollamaClient';
import type { AnswerError, AnswerMetrics } from '../protocol';
import type { PlannedRequest } from './plan';

export interface SchedulerHost {
  url: string;
  client: ChatClient;
  /** Requests in flight at once on this host (Ollama serves one per model by default). */
  slots: number;
  /** Installed model names as the server lists them; undefined = unknown, accept any. */
  models?: readonly string[];
}

/** A cell to send: what the scheduler needs of a planned cell. */
export interface ScheduledCell {
  cellId: string;
  model: string;
  request: PlannedRequest;
}

export interface CellResult {
  status: 'done' | 'failed' | 'cancelled';
  /** The host that answered (or last tried). */
  host: string;
  text: string;
  thinking: string;
  metrics: AnswerMetrics;
  error?: AnswerError;
  /** Requests made for this cell (1 + retries); 0 when none was made. */
  attempts: number;
}

export interface SchedulerEvents {
  /** A request for the cell was sent (`loading`) or its first token came (`running`). */
  onStatus(cellId: string, status: 'loading' | 'running', host: string, attempt: number): void;
  onText(cellId: string, text: string, thinking: string): void;
  /** A retry starts: the text streamed so far is dropped. */
  onRetry(cellId: string, attempt: number, error: AnswerError): void;
  /** Awaited before the slot takes its next cell, so a store write keeps pace. */
  onFinish(cellId: string, result: CellResult): void | Promise<void>;
}

export interface SchedulerOptions {
  hosts: readonly SchedulerHost[];
  /** Give up on a request when nothing arrived for this long (ms). */
  idleTimeoutMs: number;
  /** Retries after a transient fault (default 2). */
  maxRetries?: number;
  /** Pause before retry `attempt` (1-based); default 500 ms × 2^(attempt−1). */
  retryDelayMs?: (attempt: number) => number;
  /** `keep_alive` sent while the model has cells left on the host (default "10m"). */
  keepAlive?: string;
  signal?: AbortSignal;
}

export interface SchedulerSummary {
  done: number;
  failed: number;
  cancelled: number;
  requests: number;
  retries: number;
}

interface HostState {
  host: SchedulerHost;
  /** The model this host's slots keep to. */
  current?: string;
  /** Models this host turned out not to have (404). */
  missing: Set<string>;
}

/** Sends every cell; resolves when each has finished, failed or been cancelled. Never rejects for a cell's failure. */
export async function runCells(cells: readonly ScheduledCell[], events: SchedulerEvents, options: SchedulerOptions): Promise<SchedulerSummary> {
  const summary: SchedulerSummary = { done: 0, failed: 0, cancelled: 0, requests: 0, retries: 0 };
  const maxRetries = Math.max(0, options.maxRetries ?? 2);
  const retryDelay = options.retryDelayMs ?? ((attempt: number) => 500 * 2 ** (attempt - 1));
  const keepAlive = options.keepAlive ?? '10m';
  const signal = options.signal;
  const hosts: HostState[] = options.hosts.map((host) => ({ host, missing: new Set() }));

  // Queues per model, in plan order.
  const queues = new Map<string, ScheduledCell[]>();
  for (const cell of cells) {
    const queue = queues.get(cell.model) ?? [];
    queue.push(cell);
    queues.set(cell.model, queue);
  }
  /** Cells of a model sent but not yet finished, per host: while > 0 the model is still "in use" there. */
  const inFlight = new Map<string, number>();
  const flightKey = (state: HostState, model: string) => `${state.host.url}\u0000${model}`;

  const finish = async (cellId: string, result: CellResult) => {
    if (result.status === 'done') summary.done++;
    else if (result.status === 'failed') summary.failed++;
    else summary.cancelled++;
    await events.onFinish(cellId, result);
  };

  const serves = (state: HostState, model: string) =>
    !state.missing.has(model) && (state.host.models === undefined || state.host.models.some((installed) => modelMatches(model, installed)));

  /** Fails every queued cell of a model that no host can serve. */
  const failUnservable = async (model: string, error?: AnswerError) => {
    if (hosts.some((state) => serves(state, model))) return;
    const queue = queues.get(model) ?? [];
    queues.delete(model);
    const where = options.hosts.map((h) => h.url).join(', ');
    const reason: AnswerError = error ?? {
      kind: 'modelMissing',
      message: `The model "${model}" is not installed on ${where}. Pull it with "Prompt Loop: Pull Model" or \`ollama pull ${model}\`.`,
    };
    for (const cell of queue) await finish(cell.cellId, { status: 'failed', host: options.hosts[0]?.url ?? '', text: '', thinking: '', metrics: {}, error: reason, attempts: 0 });
  };

  const pickNext = (state: HostState): ScheduledCell | undefined => {
    if (state.current !== undefined) {
      const cell = queues.get(state.current)?.shift();
      if (cell) return cell;
    }
    // Move on: prefer a model no other host is on, then the one with most cells left.
    let best: string | undefined;
    let bestScore = -Infinity;
    for (const [model, queue] of queues) {
      if (queue.length === 0 || !serves(state, model)) continue;
      const taken = hosts.some((other) => other !== state && other.current === model);
      const score = (taken ? 0 : 1_000_000_000) + queue.length;
      if (score > bestScore) {
        best = model;
        bestScore = score;
      }
    }
    state.current = best;
    return best === undefined ? undefined : queues.get(best)?.shift();
  };

  const runOne = async (state: HostState, cell: ScheduledCell): Promise<void> => {
    const url = state.host.url;
    let attempt = 0;
    /** The longest partial answer of a failed attempt: kept if every retry ends with less. */
    let longest: ChatOutcome | undefined;
    for (;;) {
      attempt++;
      summary.requests++;
      const key = flightKey(state, cell.model);
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      const more = (queues.get(cell.model)?.length ?? 0) > 0 || (inFlight.get(key) ?? 0) > 1;
      events.onStatus(cell.cellId, 'loading', url, attempt);
      let outcome: ChatOutcome;
      try {
        outcome = await streamChat(
          state.host.client,
          { model: cell.model, messages: cell.request.messages, options: cell.request.options, format: cell.request.format, keepAlive: more ? keepAlive : undefined },
          {
            onFirstChunk: () => events.onStatus(cell.cellId, 'running', url, attempt),
            onText: (text, thinking) => events.onText(cell.cellId, text, thinking),
          },
          { host: url, signal, idleTimeoutMs: options.idleTimeoutMs },
        );
      } finally {
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      }
      if (outcome.status === 'failed' && outcome.text.length > (longest?.text.length ?? 0)) longest = outcome;
      const result = (status: CellResult['status'], error?: AnswerError): CellResult => {
        const best = status === 'failed' && longest && longest.text.length > outcome.text.length ? longest : outcome;
        return { status, host: url, text: best.text, thinking: best.thinking, metrics: outcome.metrics, error, attempts: attempt };
      };
      if (outcome.status === 'done') return finish(cell.cellId, result('done'));
      if (outcome.status === 'stopped' || signal?.aborted) return finish(cell.cellId, result('cancelled'));
      const error = outcome.error ?? { kind: 'other', message: 'The request failed.' };
      if (error.kind === 'modelMissing') {
        state.missing.add(cell.model);
        if (state.current === cell.model) state.current = undefined;
        if (hosts.some((other) => serves(other, cell.model))) {
          // Another host has it: hand the cell over.
          queues.set(cell.model, [cell, ...(queues.get(cell.model) ?? [])]);
          return;
        }
        await finish(cell.cellId, result('failed', error));
        return failUnservable(cell.model, error);
      }
      if (!isTransientError(error) || attempt > maxRetries) return finish(cell.cellId, result('failed', error));
      summary.retries++;
      events.onRetry(cell.cellId, attempt + 1, error);
      if (!(await pause(retryDelay(attempt), signal))) return finish(cell.cellId, result('cancelled'));
    }
  };

  const slot = async (state: HostState): Promise<void> => {
    while (!signal?.aborted) {
      const cell = pickNext(state);
      if (!cell) return;
      await runOne(state, cell);
    }
  };

  for (const model of [...queues.keys()]) await failUnservable(model);
  // Hosts are re-scanned after every round: a 404 on one host can hand cells to another whose slots already ended.
  while (!signal?.aborted && [...queues.values()].some((q) => q.length > 0)) {
    // A bad setting (NaN, 0) still gets one slot: no host may end up with no worker at all.
    const workers = hosts.flatMap((state) => Array.from({ length: Number.isFinite(state.host.slots) ? Math.max(1, Math.floor(state.host.slots)) : 1 }, () => slot(state)));
    if (workers.length === 0) break;
    await Promise.all(workers);
    for (const model of [...queues.keys()]) await failUnservable(model);
  }
  // Whatever is still queued was cancelled before it was sent.
  for (const queue of queues.values()) {
    for (const cell of queue.splice(0)) await finish(cell.cellId, { status: 'cancelled', host: '', text: '', thinking: '', metrics: {}, attempts: 0 });
  }
  return summary;
}

/** Waits `ms`; resolves false when the signal aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
