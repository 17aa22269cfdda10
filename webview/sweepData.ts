/**
 * The panel's copy of one sweep: cells indexed by id and by grid cell, status
 * counts kept up to date as updates arrive, summaries and consistency by key,
 * and per-row flags for the filters. Pure (no DOM): updates are applied here at
 * once, and the grid redraws only what is visible, once per frame.
 */
import type { CellConsistency, CellStatus, SweepCaseView, SweepCellUpdate, SweepCellView, SweepParams, SweepState, SweepSummary, SweepView } from '../src/core/protocol';
import { gridCellKey } from '../src/core/protocol';
import { isCellActive, isCellAnswered, type SweepCounts } from './format';
import { answersDiffer, normaliseAnswer, summariseStatus, type RowFlags } from './gridModel';

/** All repeats of one variant × model × case × parameter point. */
export interface GridCellData {
  key: string;
  variant: string;
  model: string;
  caseIndex: number;
  paramsIndex: number;
  /** By repeat; holes are repeats the host did not send. */
  repeats: (SweepCellView | undefined)[];
  /** The summarised status of the repeats (`summariseStatus`). */
  status: CellStatus;
  /** Bumped on every change, so a drawn cell knows when it is stale. */
  version: number;
}

const statuses: readonly CellStatus[] = ['queued', 'loading', 'running', 'done', 'cached', 'failed', 'cancelled'];

function summaryKey(variant: string, model: string | undefined, paramsIndex: number | undefined): string {
  return `${variant}\u0000${model ?? '*'}\u0000${paramsIndex ?? '*'}`;
}

export class SweepData {
  readonly sweepId: string;
  readonly family: string;
  readonly familyPath: string;
  readonly variants: readonly string[];
  readonly models: readonly string[];
  readonly cases: readonly SweepCaseView[];
  readonly params: readonly SweepParams[];
  readonly repeats: number;
  readonly startedAt: number;
  state: SweepState;
  finishedAt: number | undefined;
  /** Bumped when summaries or consistency change. */
  summariesVersion = 0;

  private readonly byId = new Map<string, SweepCellView>();
  private readonly byKey = new Map<string, GridCellData>();
  private readonly keyOfId = new Map<string, string>();
  /** Grid cells of each row (by case index). */
  private readonly rows: GridCellData[][];
  private readonly counts = new Map<CellStatus, number>(statuses.map((s) => [s, 0]));
  private readonly summaries = new Map<string, SweepSummary>();
  private readonly consistencyByKey = new Map<string, CellConsistency>();
  private readonly rowFlagCache = new Map<number, RowFlags>();

  constructor(view: SweepView) {
    this.sweepId = view.sweepId;
    this.family = view.family;
    this.familyPath = view.familyPath;
    this.variants = [...view.variants];
    this.models = [...view.models];
    this.cases = [...view.cases];
    this.params = view.params.length > 0 ? [...view.params] : [{}];
    this.repeats = Math.max(1, view.repeats);
    this.startedAt = view.startedAt;
    this.state = view.state;
    this.finishedAt = view.finishedAt;
    this.rows = this.cases.map(() => []);
    for (const original of view.cells) {
      if (this.byId.has(original.cellId)) continue;
      // A copy: appending streamed text must never change the message it came in.
      const cell: SweepCellView = { ...original, metrics: original.metrics ? { ...original.metrics } : undefined };
      this.byId.set(cell.cellId, cell);
      this.counts.set(cell.status, (this.counts.get(cell.status) ?? 0) + 1);
      const key = gridCellKey(cell);
      this.keyOfId.set(cell.cellId, key);
      let grid = this.byKey.get(key);
      if (!grid) {
        grid = { key, variant: cell.variant, model: cell.model, caseIndex: cell.caseIndex, paramsIndex: cell.paramsIndex, repeats: [], status: 'queued', version: 0 };
        this.byKey.set(key, grid);
        this.rows[cell.caseIndex]?.push(grid);
      }
      grid.repeats[Math.max(0, cell.repeat)] = cell;
    }
    for (const grid of this.byKey.values()) grid.status = summariseStatus(presentRepeats(grid).map((c) => c.status));
    this.applySummaries(view.summaries);
    this.applyConsistency(view.consistency);
  }

  /** The grid cell for a key, if the sweep has it. */
  cell(key: string): GridCellData | undefined {
    return this.byKey.get(key);
  }

  cellById(cellId: string): SweepCellView | undefined {
    return this.byId.get(cellId);
  }

  get cellCount(): number {
    return this.byId.size;
  }

  /** Applies coalesced cell changes; returns the keys of the grid cells that changed. */
  apply(updates: readonly SweepCellUpdate[]): Set<string> {
    const changed = new Set<string>();
    for (const update of updates) {
      const cell = this.byId.get(update.cellId);
      const key = this.keyOfId.get(update.cellId);
      if (!cell || key === undefined) continue;
      if (update.text !== undefined) cell.text = update.text;
      if (update.appendText) cell.text += update.appendText;
      if (update.status !== undefined && update.status !== cell.status) this.setStatus(cell, update.status);
      if (update.error !== undefined) cell.error = update.error;
      else if (update.status !== undefined && update.status !== 'failed') cell.error = undefined;
      if (update.metrics !== undefined) cell.metrics = { ...cell.metrics, ...update.metrics };
      if (update.answerKey !== undefined) cell.answerKey = update.answerKey;
      if (update.attempts !== undefined) cell.attempts = update.attempts;
      changed.add(key);
    }
    this.touch(changed);
    return changed;
  }

  /**
   * The sweep ended. A cell still in flight can no longer change: it is shown as
   * cancelled. Returns the keys of the grid cells that changed.
   */
  finish(state: SweepState, finishedAt = Date.now()): Set<string> {
    this.state = state;
    this.finishedAt ??= finishedAt;
    const changed = new Set<string>();
    if (state === 'running') return changed;
    for (const [id, cell] of this.byId) {
      if (!isCellActive(cell.status)) continue;
      this.setStatus(cell, 'cancelled');
      const key = this.keyOfId.get(id);
      if (key !== undefined) changed.add(key);
    }
    this.touch(changed);
    return changed;
  }

  /** Adds or replaces summaries (matched by variant, model and parameter point). */
  applySummaries(list: readonly SweepSummary[] | undefined): void {
    if (!list || list.length === 0) return;
    for (const s of list) this.summaries.set(summaryKey(s.variant, s.model, s.paramsIndex), s);
    this.summariesVersion++;
  }

  /** Adds or replaces consistency figures (matched by grid cell key). */
  applyConsistency(list: readonly CellConsistency[] | undefined): void {
    if (!list || list.length === 0) return;
    const changed = new Set<string>();
    for (const c of list) {
      this.consistencyByKey.set(c.key, c);
      changed.add(c.key);
    }
    this.touch(changed, false);
    this.summariesVersion++;
  }

  /** The summary of one column; a summary without a parameter point stands for the only one. */
  columnSummary(variant: string, model: string, paramsIndex: number): SweepSummary | undefined {
    return this.summaries.get(summaryKey(variant, model, paramsIndex)) ?? (this.params.length === 1 ? this.summaries.get(summaryKey(variant, model, undefined)) : undefined);
  }

  /** The summary of a variant over every model. */
  variantSummary(variant: string): SweepSummary | undefined {
    return this.summaries.get(summaryKey(variant, undefined, undefined));
  }

  consistency(key: string): CellConsistency | undefined {
    return this.consistencyByKey.get(key);
  }

  /** Cell counts by status, as the progress line shows them. */
  progress(): SweepCounts & { active: number } {
    const n = (s: CellStatus): number => this.counts.get(s) ?? 0;
    return { total: this.byId.size, done: n('done'), cached: n('cached'), failed: n('failed'), cancelled: n('cancelled'), active: n('queued') + n('loading') + n('running') };
  }

  /** Whether a row has a failed repeat, and whether its finished answers differ (cached until the row changes). */
  rowFlags(row: number): RowFlags {
    const cached = this.rowFlagCache.get(row);
    if (cached) return cached;
    let failed = false;
    const answers: string[] = [];
    for (const grid of this.rows[row] ?? []) {
      for (const cell of grid.repeats) {
        if (!cell) continue;
        if (cell.status === 'failed') failed = true;
        else if (isCellAnswered(cell.status)) answers.push(normaliseAnswer(cell.text));
      }
    }
    const flags = { failed, differs: answersDiffer(answers) };
    this.rowFlagCache.set(row, flags);
    return flags;
  }

  /** True when a grid cell has a failed repeat. */
  hasFailure(key: string): boolean {
    return presentRepeats(this.byKey.get(key)).some((c) => c.status === 'failed');
  }

  private setStatus(cell: SweepCellView, status: CellStatus): void {
    this.counts.set(cell.status, (this.counts.get(cell.status) ?? 0) - 1);
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
    cell.status = status;
  }

  private touch(keys: Iterable<string>, resummarise = true): void {
    for (const key of keys) {
      const grid = this.byKey.get(key);
      if (!grid) continue;
      if (resummarise) grid.status = summariseStatus(presentRepeats(grid).map((c) => c.status));
      grid.version++;
      this.rowFlagCache.delete(grid.caseIndex);
    }
  }
}

/** The repeats the host sent, in order. */
export function presentRepeats(grid: GridCellData | undefined): SweepCellView[] {
  return grid ? grid.repeats.filter((c): c is SweepCellView => c !== undefined) : [];
}
