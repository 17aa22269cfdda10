import type { SimModel, SimulatorConfig } from './config';
import type { StatsRecorder } from './stats';

/**
 * The timing model: which models are in memory, who waits for what.
 *
 * It follows Ollama's scheduler as clients experience it:
 * - Requests are admitted in arrival order (one FIFO). A request for a loaded
 *   (or loading) model is admitted at once; a request for another model loads
 *   it, first evicting the least recently used idle model when `maxLoaded`
 *   models are already in memory. When every loaded model is busy, the head of
 *   the queue waits, and everything behind it waits too (head-of-line), as in
 *   Ollama.
 * - A loaded model serves `parallel` requests at once; the rest queue on it.
 * - When a model goes idle its keep_alive starts; 0 unloads it at once,
 *   negative keeps it forever. keep_alive runs on the wall clock (unscaled).
 */

export class QueueFullError extends Error {
  constructor() {
    super('server busy, please try again.  maximum pending requests exceeded');
  }
}

export class RequestAbortedError extends Error {
  constructor() {
    super('request canceled');
  }
}

/**
 * Resolves after `ms` wall-clock milliseconds, or as soon as `signal` aborts.
 * Never rejects: callers check `signal.aborted` afterwards.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  if (!(ms > 0)) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves when `signal` aborts (a stall "forever" ends only when the client leaves). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

const foreverMs = 292 * 365.25 * 24 * 3600 * 1000;

/** One model in memory (a "runner" in Ollama's words). */
export class ModelRunner {
  state: 'loading' | 'loaded' | 'unloaded' = 'loading';
  /** Admitted requests not yet finished (running, waiting for a slot or for the load). */
  refs = 0;
  /** Requests holding a parallel slot. */
  active = 0;
  readonly slotWaiters: Array<() => void> = [];
  lastUsedAt = performance.now();
  keepAliveMs: number;
  /** Wall-clock epoch ms when an idle model unloads (Infinity: never). */
  expiresAt = Infinity;
  expiryTimer: NodeJS.Timeout | undefined;
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly model: SimModel,
    keepAliveMs: number,
  ) {
    this.keepAliveMs = keepAliveMs;
  }

  /** What `/api/ps` shows as `expires_at`: busy models count from now. */
  expiresAtForDisplay(): Date {
    const ms = this.refs > 0 ? Date.now() + this.keepAliveMs : this.expiresAt;
    return new Date(Number.isFinite(ms) ? ms : Date.now() + foreverMs);
  }
}

interface Admission {
  model: SimModel;
  keepAliveMs: number;
  loadMs: () => { ms: number; slowed: boolean };
  signal: AbortSignal;
  resolve: (r: { runner: ModelRunner; triggeredLoad: boolean }) => void;
  reject: (e: Error) => void;
  onAbort: () => void;
}

/** A request's hold on a model: admitted, then optionally a parallel slot. Release once. */
export class Lease {
  private holdsSlot = false;
  private released = false;

  constructor(
    private readonly scheduler: Scheduler,
    readonly runner: ModelRunner,
    readonly triggeredLoad: boolean,
  ) {}

  /** Waits for a parallel slot on the model. Rejects with RequestAbortedError if the client leaves. */
  async slot(signal: AbortSignal): Promise<void> {
    await this.scheduler.acquireSlot(this.runner, signal);
    this.holdsSlot = true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.holdsSlot) this.scheduler.releaseSlot(this.runner);
    this.scheduler.releaseRef(this.runner);
  }
}

export class Scheduler {
  private readonly runners = new Map<string, ModelRunner>();
  private readonly queue: Admission[] = [];
  private readonly disposed = new AbortController();

  constructor(
    private readonly config: () => SimulatorConfig,
    private readonly stats: StatsRecorder,
  ) {}

  /**
   * Admits a request for `model` and waits until the model is loaded.
   * `loadMs` gives the wall-clock load time (timeScale or a slow-load fault applied).
   */
  async acquire(model: SimModel, keepAliveMs: number, loadMs: () => { ms: number; slowed: boolean }, signal: AbortSignal): Promise<Lease> {
    const { runner, triggeredLoad } = await this.admit(model, keepAliveMs, loadMs, signal);
    const lease = new Lease(this, runner, triggeredLoad);
    await Promise.race([runner.ready, untilAborted(signal)]);
    if (signal.aborted) {
      lease.release();
      throw new RequestAbortedError();
    }
    return lease;
  }

  /** Loads `model` if needed and releases it at once (Ollama's empty-prompt "load" request). */
  async preload(model: SimModel, keepAliveMs: number, loadMs: () => { ms: number; slowed: boolean }, signal: AbortSignal): Promise<void> {
    const lease = await this.acquire(model, keepAliveMs, loadMs, signal);
    lease.release();
  }

  /** Unloads `name` now if idle, else as soon as its requests finish (keep_alive 0). */
  expire(name: string): void {
    const runner = this.runners.get(name);
    if (!runner) return;
    runner.keepAliveMs = 0;
    if (runner.refs === 0 && runner.state === 'loaded') {
      this.unload(runner, 'unload');
      this.processQueue();
    }
  }

  /** Loaded models, longest remaining keep-alive first (as `/api/ps` lists them). */
  loadedRunners(): ModelRunner[] {
    return [...this.runners.values()]
      .filter((r) => r.state === 'loaded')
      .sort((a, b) => b.expiresAtForDisplay().getTime() - a.expiresAtForDisplay().getTime());
  }

  isLoaded(name: string): boolean {
    return this.runners.get(name)?.state === 'loaded';
  }

  /** Requests waiting for admission or for a slot. */
  pendingCount(): number {
    let n = this.queue.length;
    for (const r of this.runners.values()) n += r.slotWaiters.length;
    return n;
  }

  /** Re-examines the queue, e.g. after `maxLoaded` changed. */
  poke(): void {
    this.processQueue();
  }

  /** Drops every model and wakes every waiter; the scheduler is unusable afterwards. */
  dispose(): void {
    this.disposed.abort();
    for (const a of this.queue.splice(0)) {
      a.signal.removeEventListener('abort', a.onAbort);
      a.reject(new RequestAbortedError());
    }
    for (const runner of this.runners.values()) {
      clearTimeout(runner.expiryTimer);
      runner.state = 'unloaded';
      for (const w of runner.slotWaiters.splice(0)) w();
    }
    this.runners.clear();
  }

  acquireSlot(runner: ModelRunner, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new RequestAbortedError());
    if (runner.active < this.config().parallel) {
      runner.active++;
      this.stats.active(runner.model.name, runner.active);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = runner.slotWaiters.indexOf(grant);
        if (i >= 0) runner.slotWaiters.splice(i, 1);
        reject(new RequestAbortedError());
      };
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (this.disposed.signal.aborted) reject(new RequestAbortedError());
        else resolve();
      };
      runner.slotWaiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  releaseSlot(runner: ModelRunner): void {
    // Hand the slot straight to the next waiter, unless `parallel` was lowered meanwhile.
    if (runner.slotWaiters.length > 0 && runner.active <= this.config().parallel) {
      const next = runner.slotWaiters.shift();
      next?.();
      this.stats.active(runner.model.name, runner.active);
      return;
    }
    runner.active = Math.max(0, runner.active - 1);
  }

  releaseRef(runner: ModelRunner): void {
    runner.refs = Math.max(0, runner.refs - 1);
    runner.lastUsedAt = performance.now();
    if (runner.refs === 0 && runner.state === 'loaded') this.becameIdle(runner);
  }

  private admit(model: SimModel, keepAliveMs: number, loadMs: () => { ms: number; slowed: boolean }, signal: AbortSignal): Promise<{ runner: ModelRunner; triggeredLoad: boolean }> {
    if (signal.aborted) return Promise.reject(new RequestAbortedError());
    if (this.pendingCount() >= this.config().maxQueue) return Promise.reject(new QueueFullError());
    return new Promise((resolve, reject) => {
      const admission: Admission = {
        model, keepAliveMs, loadMs, signal, resolve, reject,
        onAbort: () => {
          const i = this.queue.indexOf(admission);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new RequestAbortedError());
          this.processQueue();
        },
      };
      signal.addEventListener('abort', admission.onAbort, { once: true });
      this.queue.push(admission);
      this.processQueue();
    });
  }

  private processQueue(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const name = head.model.name;
      let runner = this.runners.get(name);
      let triggeredLoad = false;
      if (!runner) {
        while (this.runners.size >= this.config().maxLoaded) {
          const victim = this.leastRecentlyUsedIdle();
          if (!victim) return; // every loaded model is busy: the head waits, and so does the queue
          this.unload(victim, 'evict');
        }
        runner = this.startLoad(head.model, head.keepAliveMs, head.loadMs());
        triggeredLoad = true;
      }
      this.queue.shift();
      head.signal.removeEventListener('abort', head.onAbort);
      runner.refs++;
      runner.keepAliveMs = head.keepAliveMs;
      clearTimeout(runner.expiryTimer);
      runner.expiryTimer = undefined;
      runner.expiresAt = Infinity;
      head.resolve({ runner, triggeredLoad });
    }
  }

  private leastRecentlyUsedIdle(): ModelRunner | undefined {
    let best: ModelRunner | undefined;
    for (const r of this.runners.values()) {
      if (r.refs > 0 || r.state !== 'loaded') continue;
      if (!best || r.lastUsedAt < best.lastUsedAt) best = r;
    }
    return best;
  }

  private startLoad(model: SimModel, keepAliveMs: number, load: { ms: number; slowed: boolean }): ModelRunner {
    const runner = new ModelRunner(model, keepAliveMs);
    this.runners.set(model.name, runner);
    this.stats.event('load', model.name);
    this.stats.busy(model.name, 'loadMs', load.ms);
    if (load.slowed) this.stats.fault('slowLoad');
    this.stats.loadedModels(this.runners.size);
    runner.ready = sleep(load.ms, this.disposed.signal).then(() => {
      if (runner.state !== 'loading') return;
      runner.state = 'loaded';
      runner.lastUsedAt = performance.now();
      this.stats.event('loaded', model.name);
      if (runner.refs === 0) this.becameIdle(runner);
    });
    return runner;
  }

  private becameIdle(runner: ModelRunner): void {
    clearTimeout(runner.expiryTimer);
    if (runner.keepAliveMs <= 0) {
      this.unload(runner, 'unload');
    } else if (Number.isFinite(runner.keepAliveMs)) {
      runner.expiresAt = Date.now() + runner.keepAliveMs;
      // Node caps timers at ~24.8 days; a longer keep-alive unloads then, which no session notices.
      runner.expiryTimer = setTimeout(() => {
        if (runner.refs === 0 && this.runners.get(runner.model.name) === runner) this.unload(runner, 'unload');
      }, Math.min(runner.keepAliveMs, 2_147_483_647));
      runner.expiryTimer.unref();
    } else {
      runner.expiresAt = Infinity;
    }
    this.processQueue();
  }

  private unload(runner: ModelRunner, kind: 'evict' | 'unload'): void {
    clearTimeout(runner.expiryTimer);
    runner.expiryTimer = undefined;
    runner.state = 'unloaded';
    if (this.runners.get(runner.model.name) === runner) this.runners.delete(runner.model.name);
    this.stats.event(kind, runner.model.name);
  }
}
