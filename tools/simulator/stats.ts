/**
 * What the simulator counted. Tests assert orderings and counts through this
 * instead of wall-clock thresholds; a benchmark compares its wall time with
 * `busyMs`, the time the simulator itself spent waiting on purpose.
 */

/** Scaled milliseconds the simulator deliberately waited (model time × timeScale). */
export interface BusyTime {
  loadMs: number;
  promptEvalMs: number;
  generationMs: number;
}

export type SimEventKind = 'load' | 'loaded' | 'evict' | 'unload';

/** A model lifecycle event, in the order it happened. */
export interface SimEvent {
  kind: SimEventKind;
  model: string;
  /** Milliseconds since the simulator started (or was last reset). */
  atMs: number;
}

export interface SimulatorStats {
  requests: {
    total: number;
    /** Keyed by path, e.g. `/api/chat`. */
    byEndpoint: Record<string, number>;
    /** Chat and generate requests, keyed by canonical model name. */
    byModel: Record<string, number>;
  };
  /** Requests that reached their done chunk / full response. */
  completed: number;
  /** Requests whose client went away before the end. */
  aborted: number;
  loads: number;
  loadsByModel: Record<string, number>;
  /** Models unloaded to make room for another (LRU). */
  evictions: number;
  evictionsByModel: Record<string, number>;
  /** Models unloaded because keep_alive ran out or was 0. */
  unloads: number;
  /** Chat/generate requests per model right now, queued or running. */
  inFlight: Record<string, number>;
  /** Most chat/generate requests per model at once, queued or running. */
  maxInFlight: Record<string, number>;
  /** Most requests per model holding a parallel slot at once (≤ parallel). */
  maxActive: Record<string, number>;
  /** Most models loaded (or loading) at once. */
  maxLoadedModels: number;
  tokens: { prompt: number; generated: number };
  /** Injected faults, by kind (`refuse`, `notFound`, `serverError`, `cut`, `stall`, `slowLoad`). */
  faults: Record<string, number>;
  /** The simulator's own lower bound: time it spent loading, evaluating and generating. */
  busyMs: BusyTime & { byModel: Record<string, BusyTime> };
  /** Load/evict/unload events in order (the last 1000). */
  events: SimEvent[];
}

const maxEvents = 1000;

/** Mutable counters behind `SimulatorStats`. */
export class StatsRecorder {
  readonly data: SimulatorStats = emptyStats();
  private readonly startedAt = performance.now();

  request(endpoint: string): void {
    this.data.requests.total++;
    bump(this.data.requests.byEndpoint, endpoint);
  }

  modelRequest(model: string): void {
    bump(this.data.requests.byModel, model);
  }

  enter(model: string): void {
    const now = bump(this.data.inFlight, model);
    this.data.maxInFlight[model] = Math.max(this.data.maxInFlight[model] ?? 0, now);
  }

  leave(model: string): void {
    this.data.inFlight[model] = Math.max(0, (this.data.inFlight[model] ?? 0) - 1);
  }

  active(model: string, count: number): void {
    this.data.maxActive[model] = Math.max(this.data.maxActive[model] ?? 0, count);
  }

  loadedModels(count: number): void {
    this.data.maxLoadedModels = Math.max(this.data.maxLoadedModels, count);
  }

  event(kind: SimEventKind, model: string): void {
    if (kind === 'load') {
      this.data.loads++;
      bump(this.data.loadsByModel, model);
    } else if (kind === 'evict') {
      this.data.evictions++;
      bump(this.data.evictionsByModel, model);
    } else if (kind === 'unload') {
      this.data.unloads++;
    }
    this.data.events.push({ kind, model, atMs: Math.round((performance.now() - this.startedAt) * 1000) / 1000 });
    if (this.data.events.length > maxEvents) this.data.events.splice(0, this.data.events.length - maxEvents);
  }

  busy(model: string, part: keyof BusyTime, ms: number): void {
    if (!(ms > 0)) return;
    this.data.busyMs[part] += ms;
    const perModel = (this.data.busyMs.byModel[model] ??= { loadMs: 0, promptEvalMs: 0, generationMs: 0 });
    perModel[part] += ms;
  }

  fault(kind: string): void {
    bump(this.data.faults, kind);
  }

  snapshot(): SimulatorStats {
    return structuredClone(this.data);
  }
}

function bump(record: Record<string, number>, key: string): number {
  record[key] = (record[key] ?? 0) + 1;
  return record[key];
}

function emptyStats(): SimulatorStats {
  return {
    requests: { total: 0, byEndpoint: {}, byModel: {} },
    completed: 0,
    aborted: 0,
    loads: 0,
    loadsByModel: {},
    evictions: 0,
    evictionsByModel: {},
    unloads: 0,
    inFlight: {},
    maxInFlight: {},
    maxActive: {},
    maxLoadedModels: 0,
    tokens: { prompt: 0, generated: 0 },
    faults: {},
    busyMs: { loadMs: 0, promptEvalMs: 0, generationMs: 0, byModel: {} },
    events: [],
  };
}
