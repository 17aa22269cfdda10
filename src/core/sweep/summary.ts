/**
 * Numbers over a sweep's cells: per-column and per-variant summaries, progress,
 * and how consistent the repeats of a grid cell are.
 */
import { diffArrays } from 'diff';
import type { CellConsistency, SweepCellView, SweepProgress, SweepSummary } from '../protocol';
import { gridCellKey } from '../protocol';

/** Words compared per answer when measuring similarity: diffs grow with length × difference. */
const similarityWordLimit = 2000;

/** Counts cells by outcome. `done` includes cached cells. */
export function sweepProgress(cells: readonly Pick<SweepCellView, 'status'>[]): SweepProgress {
  const progress: SweepProgress = { total: cells.length, done: 0, cached: 0, failed: 0, cancelled: 0 };
  for (const cell of cells) {
    if (cell.status === 'done') progress.done++;
    else if (cell.status === 'cached') {
      progress.done++;
      progress.cached++;
    } else if (cell.status === 'failed') progress.failed++;
    else if (cell.status === 'cancelled') progress.cancelled++;
  }
  return progress;
}

/** Whether a cell will not change any more. */
export function isSettled(status: SweepCellView['status']): boolean {
  return status === 'done' || status === 'cached' || status === 'failed' || status === 'cancelled';
}

interface Accumulator {
  summary: SweepSummary;
  total: number[];
  ttft: number[];
  tps: number[];
}

const mean = (values: number[]) => (values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length);

/**
 * One summary per variant × model × parameter point (the grid's columns) and
 * one per variant over all its cells. Cached answers count with the metrics
 * they had when they were made.
 */
export function summarizeSweep(cells: readonly SweepCellView[], variants: readonly string[], models: readonly string[] = []): SweepSummary[] {
  const groups = new Map<string, Accumulator>();
  const add = (key: string, make: () => SweepSummary, cell: SweepCellView) => {
    let acc = groups.get(key);
    if (!acc) {
      acc = { summary: make(), total: [], ttft: [], tps: [] };
      groups.set(key, acc);
    }
    acc.summary.cells++;
    if (cell.status === 'done' || cell.status === 'cached') {
      acc.summary.done++;
      const m = cell.metrics;
      if (m?.totalMs !== undefined) acc.total.push(m.totalMs);
      if (m?.ttftMs !== undefined) acc.ttft.push(m.ttftMs);
      if (m?.tokensPerSecond !== undefined) acc.tps.push(m.tokensPerSecond);
    } else if (cell.status === 'failed') acc.summary.failed++;
  };
  for (const cell of cells) {
    add(`c\u0000${cell.variant}\u0000${cell.model}\u0000${cell.paramsIndex}`, () => ({ variant: cell.variant, model: cell.model, paramsIndex: cell.paramsIndex, cells: 0, done: 0, failed: 0 }), cell);
    add(`v\u0000${cell.variant}`, () => ({ variant: cell.variant, cells: 0, done: 0, failed: 0 }), cell);
  }
  const order = new Map(variants.map((v, i) => [v, i]));
  const modelOrder = new Map(models.map((m, i) => [m, i]));
  const byModel = (a: SweepSummary, b: SweepSummary) => {
    if (a.model === undefined || b.model === undefined) return (a.model === undefined ? 1 : 0) - (b.model === undefined ? 1 : 0);
    return (modelOrder.get(a.model) ?? Infinity) - (modelOrder.get(b.model) ?? Infinity) || a.model.localeCompare(b.model);
  };
  return [...groups.values()]
    .map(({ summary, total, ttft, tps }) => {
      const out = { ...summary };
      const t = mean(total);
      const f = mean(ttft);
      const r = mean(tps);
      if (t !== undefined) out.meanTotalMs = t;
      if (f !== undefined) out.meanTtftMs = f;
      if (r !== undefined) out.meanTokensPerSecond = r;
      return out;
    })
    .sort((a, b) => (order.get(a.variant) ?? 0) - (order.get(b.variant) ?? 0) || byModel(a, b) || (a.paramsIndex ?? -1) - (b.paramsIndex ?? -1));
}

/** Whitespace-normalised text: two answers that differ only in spacing are the same answer. */
export function normalizeAnswer(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Word-level similarity of two texts, 0–1 (Dice coefficient over the longest common word sequence). */
export function textSimilarity(a: string, b: string): number {
  const wa = normalizeAnswer(a).split(' ').filter(Boolean).slice(0, similarityWordLimit);
  const wb = normalizeAnswer(b).split(' ').filter(Boolean).slice(0, similarityWordLimit);
  if (wa.length === 0 && wb.length === 0) return 1;
  if (wa.length === 0 || wb.length === 0) return 0;
  let common = 0;
  for (const part of diffArrays(wa, wb)) {
    if (!part.added && !part.removed) common += part.value.length;
  }
  return (2 * common) / (wa.length + wb.length);
}

/** How alike a set of answers are: distinct texts and the mean pairwise similarity. */
export function consistencyOf(texts: readonly string[]): { distinct: number; similarity: number } {
  const distinct = new Set(texts.map(normalizeAnswer)).size;
  if (texts.length < 2) return { distinct, similarity: 1 };
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      sum += normalizeAnswer(texts[i]) === normalizeAnswer(texts[j]) ? 1 : textSimilarity(texts[i], texts[j]);
      pairs++;
    }
  }
  return { distinct, similarity: sum / pairs };
}

/**
 * Consistency of every grid cell with two or more finished repeats. `only`
 * limits the work to the grid cells whose keys it holds (those that changed).
 */
export function sweepConsistency(cells: readonly SweepCellView[], only?: ReadonlySet<string>): CellConsistency[] {
  const groups = new Map<string, string[]>();
  for (const cell of cells) {
    if (cell.status !== 'done' && cell.status !== 'cached') continue;
    const key = gridCellKey(cell);
    if (only && !only.has(key)) continue;
    const list = groups.get(key) ?? [];
    list.push(cell.text);
    groups.set(key, list);
  }
  const out: CellConsistency[] = [];
  for (const [key, texts] of groups) {
    if (texts.length < 2) continue;
    out.push({ key, answers: texts.length, ...consistencyOf(texts) });
  }
  return out;
}
