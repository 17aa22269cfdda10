/** Words and numbers the panel shows; pure functions, no DOM. */
import type { AnswerError, AnswerMetrics, AnswerStatus, CellConsistency, CellStatus, SweepParams } from '../src/core/protocol';

/** "412 ms", "3.2 s", "1 min 05 s". */
export function formatDuration(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

export function formatCount(n: number | undefined): string | undefined {
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.round(n).toLocaleString('en-US');
}

export function formatRate(tps: number | undefined): string | undefined {
  if (tps === undefined || !Number.isFinite(tps) || tps < 0) return undefined;
  return `${tps.toFixed(tps < 100 ? 1 : 0)} tok/s`;
}

export type MetricKey = 'ttft' | 'tps' | 'promptTokens' | 'answerTokens' | 'load' | 'total' | 'doneReason';

export interface MetricCell {
  key: MetricKey;
  /** Short label shown before the value. */
  label: string;
  /** What the number means, for the tooltip and screen readers. */
  description: string;
  value?: string;
  /** Shown while the value is unknown. */
  placeholder: string;
  /** The raw number, for tests and tooling (`data-value`). */
  raw?: number | string;
  warning?: boolean;
}

/** The metrics line under an answer, in display order. */
export function metricCells(metrics: AnswerMetrics | undefined): MetricCell[] {
  const m = metrics ?? {};
  const cells: MetricCell[] = [
    { key: 'ttft', label: 'TTFT', description: 'Time to first token', value: formatDuration(m.ttftMs), placeholder: '—', raw: m.ttftMs },
    { key: 'tps', label: '', description: 'Tokens per second', value: formatRate(m.tokensPerSecond), placeholder: '— tok/s', raw: m.tokensPerSecond },
    { key: 'promptTokens', label: 'prompt', description: 'Prompt tokens', value: withUnit(formatCount(m.promptTokens), 'tok'), placeholder: '—', raw: m.promptTokens },
    { key: 'answerTokens', label: 'answer', description: 'Answer tokens', value: withUnit(formatCount(m.answerTokens), 'tok'), placeholder: '—', raw: m.answerTokens },
    { key: 'load', label: 'load', description: 'Model load time', value: formatDuration(m.loadMs), placeholder: '—', raw: m.loadMs },
    { key: 'total', label: 'total', description: 'Total time', value: formatDuration(m.totalMs), placeholder: '—', raw: m.totalMs },
  ];
  if (m.doneReason) {
    const cutByLength = m.doneReason === 'length';
    cells.push({
      key: 'doneReason',
      label: '',
      description: cutByLength ? 'Done reason: hit the token limit (num_predict / maxOutputTokens)' : 'Done reason',
      value: cutByLength ? 'length limit' : m.doneReason,
      placeholder: '',
      raw: m.doneReason,
      warning: cutByLength,
    });
  }
  return cells;
}

function withUnit(value: string | undefined, unit: string): string | undefined {
  return value === undefined ? undefined : `${value} ${unit}`;
}

export const statusLabels: Readonly<Record<AnswerStatus, string>> = {
  queued: 'queued',
  loading: 'loading model…',
  streaming: 'streaming',
  done: 'done',
  stopped: 'stopped',
  failed: 'failed',
};

export const statusIcons: Readonly<Record<AnswerStatus, string>> = {
  queued: 'clock',
  loading: 'loading',
  streaming: 'loading',
  done: 'pass-filled',
  stopped: 'circle-slash',
  failed: 'error',
};

export function isActive(status: AnswerStatus): boolean {
  return status === 'queued' || status === 'loading' || status === 'streaming';
}

/** A headline for a failure, in words that say what happened and what is kept. */
export function errorHeadline(error: AnswerError, model: string, host: string): string {
  switch (error.kind) {
    case 'unreachable':
      return `Ollama is not reachable at ${host}`;
    case 'modelMissing':
      return `Model “${model}” is not on ${host} — pull it first (ollama pull ${model})`;
    case 'cut':
      return 'Stream cut — partial answer kept';
    case 'timeout':
      return 'Timed out waiting for the model';
    case 'server':
      return 'Ollama answered with an error';
    default:
      return 'The request failed';
  }
}

/** Status-change sentence for the live region, or undefined when not worth announcing. */
export function statusAnnouncement(model: string, status: AnswerStatus, metrics: AnswerMetrics | undefined, error: AnswerError | undefined, host: string): string | undefined {
  switch (status) {
    case 'loading':
      return `${model} loading model`;
    case 'streaming':
      return `${model} streaming`;
    case 'done': {
      const total = formatDuration(metrics?.totalMs);
      return total ? `${model} finished in ${total}` : `${model} finished`;
    }
    case 'stopped':
      return `${model} stopped`;
    case 'failed':
      return `${model} failed: ${error ? errorHeadline(error, model, host) : 'unknown error'}`;
    default:
      return undefined;
  }
}

/** "127.0.0.1:11434" from "http://127.0.0.1:11434/". */
export function shortHost(host: string): string {
  try {
    const url = new URL(host);
    return url.host || host;
  } catch {
    return host;
  }
}

// ---------------------------------------------------------------- sweeps

export const cellStatusLabels: Readonly<Record<CellStatus, string>> = {
  queued: 'queued',
  loading: 'loading model',
  running: 'running',
  done: 'done',
  cached: 'cached',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const cellStatusIcons: Readonly<Record<CellStatus, string>> = {
  queued: 'clock',
  loading: 'loading',
  running: 'sync',
  done: 'pass-filled',
  cached: 'database',
  failed: 'error',
  cancelled: 'circle-slash',
};

/** Statuses whose icon turns (a request in flight). */
export function isCellActive(status: CellStatus): boolean {
  return status === 'queued' || status === 'loading' || status === 'running';
}

/** A finished answer that can be compared: done normally or taken from the cache. */
export function isCellAnswered(status: CellStatus): boolean {
  return status === 'done' || status === 'cached';
}

/** What the grid shows for a variant: the base prompt is "base" (styled apart from a variant named "base"). */
export function variantLabel(variant: string): string {
  return variant === '' ? 'base' : variant;
}

/** The variant in words for screen readers and messages, where styling is lost. */
export function variantName(variant: string): string {
  return variant === '' ? 'base prompt' : `variant ${variant}`;
}

/** "t=0.7 · seed 42"; empty for a point without parameters. */
export function paramsLabel(params: SweepParams | undefined): string {
  if (!params) return '';
  const parts: string[] = [];
  if (params.temperature !== undefined) parts.push(`t=${params.temperature}`);
  if (params.seed !== undefined) parts.push(`seed ${params.seed}`);
  return parts.join(' · ');
}

/** A short reason a sweep cell failed, to fit in a grid cell. */
export function cellFailureReason(error: AnswerError | undefined): string {
  switch (error?.kind) {
    case 'unreachable':
      return 'Ollama not reachable';
    case 'modelMissing':
      return 'Model not pulled';
    case 'cut':
      return 'Stream cut';
    case 'timeout':
      return 'Timed out';
    case 'server':
      return error.message ? `Server error: ${error.message}` : 'Server error';
    default:
      return error?.message || 'The request failed';
  }
}

/** "3 runs · 2 distinct · 87% similar". */
export function consistencyText(consistency: CellConsistency | undefined, repeats: number): string {
  const answers = consistency?.answers ?? repeats;
  const runs = `${answers} ${answers === 1 ? 'run' : 'runs'}`;
  if (!consistency) return runs;
  const similar = Math.round(Math.min(1, Math.max(0, consistency.similarity)) * 100);
  return `${runs} · ${consistency.distinct} distinct · ${similar}% similar`;
}

/** Counts over a sweep's cells, as the progress line shows them. */
export interface SweepCounts {
  total: number;
  done: number;
  cached: number;
  failed: number;
  cancelled: number;
}

/** Cells that will not change any more. */
export function finishedCount(counts: SweepCounts): number {
  return counts.done + counts.cached + counts.failed + counts.cancelled;
}

/** "37 of 120 · 12 cached · 2 failed" (zero counts are left out). */
export function progressText(counts: SweepCounts): string {
  let text = `${finishedCount(counts).toLocaleString('en-US')} of ${counts.total.toLocaleString('en-US')}`;
  if (counts.cached > 0) text += ` · ${counts.cached.toLocaleString('en-US')} cached`;
  if (counts.failed > 0) text += ` · ${counts.failed.toLocaleString('en-US')} failed`;
  if (counts.cancelled > 0) text += ` · ${counts.cancelled.toLocaleString('en-US')} cancelled`;
  return text;
}

/** "2 variants × 2 models × 3 cases" (× parameter points × repeats when there are several). */
export function sweepShape(variants: number, models: number, cases: number, points: number, repeats: number): string {
  const part = (n: number, one: string, many: string): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  const parts = [part(variants, 'variant', 'variants'), part(models, 'model', 'models'), part(cases, 'case', 'cases')];
  if (points > 1) parts.push(part(points, 'parameter point', 'parameter points'));
  if (repeats > 1) parts.push(part(repeats, 'repeat', 'repeats'));
  return parts.join(' × ');
}

/** "4.2 / 5 (7 ratings)". */
export function scoreText(meanScore: number | undefined, ratings: number | undefined): string | undefined {
  if (meanScore === undefined || !Number.isFinite(meanScore)) return undefined;
  const count = ratings === undefined ? '' : ` (${ratings} ${ratings === 1 ? 'rating' : 'ratings'})`;
  return `${meanScore.toFixed(1)} / 5${count}`;
}

/** Words removed and added in a word diff (whitespace-only parts count none). */
export function diffWordCounts(parts: readonly { value: string; added?: boolean; removed?: boolean }[]): { removed: number; added: number } {
  let removed = 0;
  let added = 0;
  for (const part of parts) {
    if (!part.added && !part.removed) continue;
    const words = part.value.split(/\s+/).filter((w) => w !== '').length;
    if (part.added) added += words;
    else removed += words;
  }
  return { removed, added };
}
