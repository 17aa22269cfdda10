/**
 * One sweep from plan to stored answers: cache lookups, the scheduler, the
 * store, and the coalesced feed the panel (or the CLI) watches. The same engine
 * runs in the extension host and from a terminal.
 */
import type { CellConsistency, HostToWebview, SweepCellUpdate, SweepCellView, SweepProgress, SweepState, SweepView } from '../protocol';
import { gridCellKey } from '../protocol';
import type { AnswerRecord, CellRecord, PromptRecord, RunOwner, RunRecord } from '../store/records';
import type { PlannedCell, SweepPlan } from './plan';
import { hashOf } from './hash';
import { cacheKeyOf } from './plan';
import type { CellResult, SchedulerHost, SchedulerSummary } from './scheduler';
import { runCells } from './scheduler';
import { summarizeSweep, sweepConsistency, sweepProgress } from './summary';

/** What the runner needs of the store (PromptStore implements it; tests pass a fake). */
export interface SweepStore {
  getAnswer(key: string): Promise<AnswerRecord | undefined>;
  getAnswers(keys: Iterable<string>): Promise<Map<string, AnswerRecord>>;
  putAnswer(record: AnswerRecord): Promise<void>;
  putPrompts(records: PromptRecord[]): Promise<void>;
  saveRun(run: RunRecord, cells: CellRecord[]): Promise<void>;
}

export interface SweepRunOptions {
  plan: SweepPlan;
  hosts: SchedulerHost[];
  /** Digest of each model as the server lists it; cache reads only for models with a digest. */
  digests: ReadonlyMap<string, string | undefined>;
  store?: SweepStore;
  idleTimeoutMs: number;
  maxRetries?: number;
  retryDelayMs?: (attempt: number) => number;
  keepAlive?: string;
  /** Read answers from the store (default true). Writing always happens. */
  useCache?: boolean;
  /** Messages for the panel, coalesced every `flushIntervalMs` (default 100 ms). */
  emit?(message: HostToWebview): void;
  flushIntervalMs?: number;
  /** Told when a cell settles (done, cached, failed, cancelled): the CLI prints from it. */
  onCellSettled?(cell: SweepCellView, progress: SweepProgress): void;
  /** A store write failed: the sweep goes on, the answer stays in the view. */
  onStoreError?(error: unknown): void;
  /** A finished answer is safely in the store (it survives a crash from here on). */
  onAnswerStored?(cell: SweepCellView): void;
  /** Save the run file at most this often while running (default 1000 ms). */
  saveIntervalMs?: number;
  /** This process, written into the run while it runs, so a crash shows as 'interrupted'. */
  owner?: RunOwner;
  now?: () => number;
}

export interface SweepOutcome {
  view: SweepView;
  progress: SweepProgress;
  scheduler: SchedulerSummary;
  /** Cells answered from the store without a request. */
  cached: number;
}

/** Runs a planned sweep. Create it, then `start()`; `cancel()` keeps what finished. */
export class SweepRun {
  readonly view: SweepView;
  private readonly controller = new AbortController();
  private readonly cells = new Map<string, { view: SweepCellView; planned: PlannedCell }>();
  /** Each cell's cache key (the stored answer's key once it is stored). */
  private readonly keys = new Map<string, string>();
  private pending = new Map<string, SweepCellUpdate>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private savePromise: Promise<void> = Promise.resolve();
  private settledSinceFlush = new Set<string>();
  private consistency = new Map<string, CellConsistency>();
  /** Prompts already stored by this run (each distinct rendered prompt is stored once). */
  private storedPrompts = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly options: SweepRunOptions) {
    this.now = options.now ?? (() => Date.now());
    const plan = options.plan;
    this.view = {
      sweepId: plan.sweepId,
      family: plan.familyName,
      familyPath: plan.familyPath,
      variants: plan.variants,
      models: plan.models,
      cases: plan.cases.map(({ index, label, input }) => ({ index, label, input })),
      params: plan.params,
      repeats: plan.repeats,
      cells: [],
      state: 'running',
      startedAt: this.now(),
      summaries: [],
      consistency: [],
    };
    for (const planned of plan.cells) {
      const view: SweepCellView = {
        cellId: planned.cellId,
        variant: planned.variant,
        model: planned.model,
        caseIndex: planned.caseIndex,
        paramsIndex: planned.paramsIndex,
        repeat: planned.repeat,
        status: 'queued',
        text: '',
      };
      // The key is the cell's until its answer is stored: the panel offers rating only once it is.
      if (planned.request) this.keys.set(planned.cellId, cacheKeyOf({ ...planned, request: planned.request }, options.digests.get(planned.model), plan.family));
      else view.error = { kind: 'other', message: `Could not render this variant with this case: ${planned.renderError ?? 'unknown error'}` };
      this.view.cells.push(view);
      this.cells.set(planned.cellId, { view, planned });
    }
  }

  get progress(): SweepProgress {
    return sweepProgress(this.view.cells);
  }

  /** Stops the streams in flight and every queued cell; finished cells are kept. */
  cancel(): void {
    this.controller.abort();
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  /** Runs the sweep to its end (or cancellation). Never rejects for a cell's failure. */
  async start(): Promise<SweepOutcome> {
    const opts = this.options;
    // Cells that could not be rendered fail up front, without a request.
    for (const { view, planned } of this.cells.values()) {
      if (!planned.request) view.status = 'failed';
    }
    const cached = await this.readCache();
    this.refreshStats(true);
    opts.emit?.({ type: 'sweepStarted', sweep: this.view });
    for (const { view } of this.cells.values()) {
      if (view.status === 'cached' || view.status === 'failed') opts.onCellSettled?.(view, this.progress);
    }
    this.scheduleSave(true);

    const toRun = [...this.cells.values()].filter(({ view }) => view.status === 'queued');
    const scheduler = await runCells(
      toRun.map(({ planned }) => ({ cellId: planned.cellId, model: planned.model, request: planned.request! })),
      {
        onStatus: (cellId, status) => this.update(cellId, { status }),
        onText: (cellId, text) => {
          if (!text) return;
          const cell = this.cells.get(cellId);
          if (cell) cell.view.text += text;
          this.queue(cellId, { appendText: text });
        },
        onRetry: (cellId, attempt) => {
          const cell = this.cells.get(cellId);
          if (cell) cell.view.text = '';
          this.queue(cellId, { text: '', attempts: attempt, status: 'loading' });
        },
        onFinish: (cellId, result) => this.finishCell(cellId, result),
      },
      {
        hosts: opts.hosts,
        idleTimeoutMs: opts.idleTimeoutMs,
        maxRetries: opts.maxRetries,
        retryDelayMs: opts.retryDelayMs,
        keepAlive: opts.keepAlive,
        signal: this.controller.signal,
      },
    );

    const state: SweepState = this.controller.signal.aborted ? 'cancelled' : 'finished';
    this.view.state = state;
    this.view.finishedAt = this.now();
    this.flush();
    this.scheduleSave(true);
    await this.savePromise;
    const progress = this.progress;
    opts.emit?.({ type: 'sweepFinished', sweepId: this.view.sweepId, state, progress });
    return { view: this.view, progress, scheduler, cached };
  }

  private async readCache(): Promise<number> {
    const { store, digests } = this.options;
    if (!store || this.options.useCache === false) return 0;
    const keys = new Set<string>();
    for (const { view } of this.cells.values()) {
      const key = this.keys.get(view.cellId);
      if (view.status === 'queued' && key && digests.get(view.model)) keys.add(key);
    }
    if (keys.size === 0) return 0;
    let found: Map<string, AnswerRecord>;
    try {
      found = await store.getAnswers(keys);
    } catch (error) {
      this.options.onStoreError?.(error);
      return 0;
    }
    let count = 0;
    for (const { view } of this.cells.values()) {
      const key = this.keys.get(view.cellId);
      const record = key ? found.get(key) : undefined;
      if (view.status !== 'queued' || !key || !record || record.status !== 'done') continue;
      view.status = 'cached';
      view.answerKey = key;
      view.text = record.text;
      view.metrics = record.metrics;
      count++;
    }
    return count;
  }

  private async finishCell(cellId: string, result: CellResult): Promise<void> {
    const cell = this.cells.get(cellId);
    if (!cell) return;
    const { view, planned } = cell;
    // The outcome's text is authoritative; resend it only when the stream fed the panel something else.
    const resend = view.text !== result.text;
    view.status = result.status;
    view.text = result.text;
    view.metrics = result.metrics;
    if (result.error) view.error = result.error;
    if (result.attempts > 1) view.attempts = result.attempts;
    this.queue(cellId, { status: result.status, ...(resend ? { text: result.text } : {}), metrics: result.metrics, error: result.error, attempts: view.attempts });
    this.settledSinceFlush.add(gridCellKey(view));
    this.options.onCellSettled?.(view, this.progress);
    this.scheduleSave(false);

    const store = this.options.store;
    let key = this.keys.get(cellId);
    // A cancelled request that produced nothing is not an answer worth keeping.
    if (!store || !planned.request || !key || (result.status === 'cancelled' && !result.text)) return;
    const record: AnswerRecord = {
      key,
      family: this.options.plan.family,
      variant: planned.variant,
      model: planned.model,
      host: result.host,
      caseKey: planned.caseKey,
      params: this.options.plan.params[planned.paramsIndex] ?? {},
      repeat: planned.repeat,
      promptHash: planned.request.promptHash,
      status: result.status === 'cancelled' ? 'stopped' : result.status,
      text: result.text,
      metrics: result.metrics,
      createdAt: this.now(),
      runId: this.view.sweepId,
    };
    const digest = this.options.digests.get(planned.model);
    if (digest) record.modelDigest = digest;
    if (result.thinking) record.thinking = result.thinking;
    if (result.error) record.error = result.error;
    try {
      // Without the cache a finished (maybe rated) answer may already be there: never replace it
      // with another sample; this one gets a key of its own.
      if (this.options.useCache === false) {
        const existing = await store.getAnswer(key);
        if (existing?.status === 'done' && existing.text !== record.text) key = record.key = hashOf({ key, runId: this.view.sweepId });
      }
      await store.putAnswer(record);
      // Stored: from now on the answer can be rated and found again.
      view.answerKey = key;
      this.queue(cellId, { answerKey: key });
      this.options.onAnswerStored?.(view);
      const request = planned.request;
      if (!this.storedPrompts.has(request.promptHash)) {
        this.storedPrompts.add(request.promptHash);
        const plan = this.options.plan;
        const prompt: PromptRecord = {
          hash: request.promptHash,
          family: plan.family,
          variant: planned.variant,
          messages: request.messages.map(({ role, content }) => ({ role, content })),
          options: request.options,
          input: plan.cases[planned.caseIndex]?.input ?? {},
          createdAt: this.now(),
        };
        if (request.format !== undefined) prompt.format = request.format;
        await store.putPrompts([prompt]);
      }
    } catch (error) {
      this.options.onStoreError?.(error);
    }
  }

  private update(cellId: string, change: Pick<SweepCellUpdate, 'status'>): void {
    const cell = this.cells.get(cellId);
    if (!cell || !change.status) return;
    cell.view.status = change.status;
    this.queue(cellId, change);
  }

  /** Merges a change into the pending update of its cell and arms the flush. */
  private queue(cellId: string, change: SweepCellUpdate | Omit<SweepCellUpdate, 'cellId'>): void {
    const pending = this.pending.get(cellId) ?? { cellId };
    if ('text' in change && change.text !== undefined) {
      pending.text = change.text;
      delete pending.appendText;
    }
    if ('appendText' in change && change.appendText) {
      if (pending.text !== undefined) pending.text += change.appendText;
      else pending.appendText = (pending.appendText ?? '') + change.appendText;
    }
    if (change.status) pending.status = change.status;
    if (change.metrics) pending.metrics = change.metrics;
    if (change.error) pending.error = change.error;
    if (change.answerKey) pending.answerKey = change.answerKey;
    if (change.attempts) pending.attempts = change.attempts;
    this.pending.set(cellId, pending);
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushIntervalMs ?? 100);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.size === 0 && this.settledSinceFlush.size === 0) return;
    const updates = [...this.pending.values()];
    this.pending = new Map();
    const statsChanged = this.settledSinceFlush.size > 0;
    if (statsChanged) this.refreshStats(false);
    this.options.emit?.({
      type: 'sweepCells',
      sweepId: this.view.sweepId,
      updates,
      progress: this.progress,
      ...(statsChanged ? { summaries: this.view.summaries, consistency: this.view.consistency } : {}),
    });
  }

  /** Recomputes summaries, and consistency for the grid cells that changed (all when `all`). */
  private refreshStats(all: boolean): void {
    this.view.summaries = summarizeSweep(this.view.cells, this.view.variants, this.view.models);
    if (this.view.repeats > 1) {
      const only = all ? undefined : this.settledSinceFlush;
      const fresh = sweepConsistency(this.view.cells, only);
      if (all) this.consistency.clear();
      for (const entry of fresh) this.consistency.set(entry.key, entry);
      this.view.consistency = [...this.consistency.values()];
    }
    this.settledSinceFlush = new Set();
  }

  /** Writes the run file now (`immediate`) or within `saveIntervalMs`; writes never overlap. */
  private scheduleSave(immediate: boolean): void {
    const store = this.options.store;
    if (!store) return;
    if (immediate) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.savePromise = this.savePromise.then(() => this.save(store));
      return;
    }
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      this.savePromise = this.savePromise.then(() => this.save(store));
    }, this.options.saveIntervalMs ?? 1000);
  }

  private async save(store: SweepStore): Promise<void> {
    const plan = this.options.plan;
    const run: RunRecord = {
      runId: this.view.sweepId,
      kind: 'sweep',
      family: plan.family,
      createdAt: this.view.startedAt,
      state: this.view.state,
      variants: plan.variants,
      models: plan.models,
      cases: plan.cases.map(({ index, caseKey, label, input }) => ({ index, caseKey, label, input })),
      params: plan.params,
      repeats: plan.repeats,
    };
    if (this.view.finishedAt !== undefined) run.finishedAt = this.view.finishedAt;
    if (this.view.state === 'running' && this.options.owner) run.owner = this.options.owner;
    const cells: CellRecord[] = this.view.cells.map((cell) => {
      const record: CellRecord = {
        cellId: cell.cellId,
        variant: cell.variant,
        model: cell.model,
        caseIndex: cell.caseIndex,
        paramsIndex: cell.paramsIndex,
        repeat: cell.repeat,
        status: cell.status,
      };
      if (cell.answerKey) record.answerKey = cell.answerKey;
      if (cell.error) record.error = cell.error;
      if (cell.attempts) record.attempts = cell.attempts;
      return record;
    });
    try {
      await store.saveRun(run, cells);
    } catch (error) {
      this.options.onStoreError?.(error);
    }
  }
}
