/**
 * Words and numbers the panel shows; pure functions, no DOM. Every word goes
 * through `l10n.t` (English without a bundle, as in the unit tests); tables of
 * words are functions, so they are looked up after `l10n.config` ran.
 */
import * as l10n from '@vscode/l10n';
import type { AnswerError, AnswerMetrics, AnswerStatus, CellConsistency, CellStatus, SweepParams } from '../src/core/protocol';

/** "412 ms", "3.2 s", "1 min 05 s". */
export function formatDuration(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 1000) return l10n.t('{0} ms', Math.round(ms));
  if (ms < 60_000) return l10n.t('{0} s', (ms / 1000).toFixed(ms < 10_000 ? 1 : 0));
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return l10n.t('{0} min {1} s', minutes, String(seconds).padStart(2, '0'));
}

export function formatCount(n: number | undefined): string | undefined {
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.round(n).toLocaleString('en-US');
}

export function formatRate(tps: number | undefined): string | undefined {
  if (tps === undefined || !Number.isFinite(tps) || tps < 0) return undefined;
  return l10n.t('{0} tok/s', tps.toFixed(tps < 100 ? 1 : 0));
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
    { key: 'ttft', label: l10n.t('TTFT'), description: l10n.t('Time to first token'), value: formatDuration(m.ttftMs), placeholder: '—', raw: m.ttftMs },
    { key: 'tps', label: '', description: l10n.t('Tokens per second'), value: formatRate(m.tokensPerSecond), placeholder: unknownRate(), raw: m.tokensPerSecond },
    { key: 'promptTokens', label: l10n.t('prompt'), description: l10n.t('Prompt tokens'), value: tokens(formatCount(m.promptTokens)), placeholder: '—', raw: m.promptTokens },
    { key: 'answerTokens', label: l10n.t('answer'), description: l10n.t('Answer tokens'), value: tokens(formatCount(m.answerTokens)), placeholder: '—', raw: m.answerTokens },
    { key: 'load', label: l10n.t('load'), description: l10n.t('Model load time'), value: formatDuration(m.loadMs), placeholder: '—', raw: m.loadMs },
    { key: 'total', label: l10n.t('total'), description: l10n.t('Total time'), value: formatDuration(m.totalMs), placeholder: '—', raw: m.totalMs },
  ];
  if (m.doneReason) {
    const cutByLength = m.doneReason === 'length';
    cells.push({
      key: 'doneReason',
      label: '',
      description: cutByLength ? l10n.t('Done reason: hit the token limit (num_predict / maxOutputTokens)') : l10n.t('Done reason'),
      value: cutByLength ? l10n.t('length limit') : m.doneReason,
      placeholder: '',
      raw: m.doneReason,
      warning: cutByLength,
    });
  }
  return cells;
}

/** "1,234 tok". */
function tokens(count: string | undefined): string | undefined {
  return count === undefined ? undefined : l10n.t('{0} tok', count);
}

/** What stands for a speed not known yet. */
export function unknownRate(): string {
  return l10n.t('— tok/s');
}

/** The status word of an answer in the run view. */
export function statusLabel(status: AnswerStatus): string {
  switch (status) {
    case 'queued':
      return l10n.t('queued');
    case 'loading':
      return l10n.t('loading model…');
    case 'streaming':
      return l10n.t('streaming');
    case 'done':
      return l10n.t('done');
    case 'stopped':
      return l10n.t('stopped');
    case 'failed':
      return l10n.t('failed');
  }
}

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
      return l10n.t('Ollama is not reachable at {0}', host);
    case 'modelMissing':
      return l10n.t('Model “{0}” is not on {1} — pull it first (ollama pull {0})', model, host);
    case 'cut':
      return l10n.t('Stream cut — partial answer kept');
    case 'timeout':
      return l10n.t('Timed out waiting for the model');
    case 'server':
      return l10n.t('Ollama answered with an error');
    default:
      return l10n.t('The request failed');
  }
}

/** Status-change sentence for the live region, or undefined when not worth announcing. */
export function statusAnnouncement(model: string, status: AnswerStatus, metrics: AnswerMetrics | undefined, error: AnswerError | undefined, host: string): string | undefined {
  switch (status) {
    case 'loading':
      return l10n.t('{0} loading model', model);
    case 'streaming':
      return l10n.t('{0} streaming', model);
    case 'done': {
      const total = formatDuration(metrics?.totalMs);
      return total ? l10n.t('{0} finished in {1}', model, total) : l10n.t('{0} finished', model);
    }
    case 'stopped':
      return l10n.t('{0} stopped', model);
    case 'failed':
      return error ? l10n.t('{0} failed: {1}', model, errorHeadline(error, model, host)) : l10n.t('{0} failed: unknown error', model);
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

/** The status word of a sweep cell. */
export function cellStatusLabel(status: CellStatus): string {
  switch (status) {
    case 'queued':
      return l10n.t('queued');
    case 'loading':
      return l10n.t('loading model');
    case 'running':
      return l10n.t('running');
    case 'done':
      return l10n.t('done');
    case 'cached':
      return l10n.t('cached');
    case 'failed':
      return l10n.t('failed');
    case 'cancelled':
      return l10n.t('cancelled');
  }
}

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
  return variant === '' ? l10n.t('base') : variant;
}

/** The variant in words for screen readers and messages, where styling is lost. */
export function variantName(variant: string): string {
  return variant === '' ? l10n.t('base prompt') : l10n.t('variant {0}', variant);
}

/**
 * Read after the label "base" by screen readers only (an sr-only span): "base prompt".
 * The leading space parts it from the label.
 */
export function basePromptSuffix(): string {
  return ` ${l10n.t({ message: 'prompt', comment: ['Read by screen readers after the variant label "base", to say "base prompt"'] })}`;
}

/** "t=0.7 · seed 42"; empty for a point without parameters. */
export function paramsLabel(params: SweepParams | undefined): string {
  if (!params) return '';
  const parts: string[] = [];
  if (params.temperature !== undefined) parts.push(`t=${params.temperature}`);
  if (params.seed !== undefined) parts.push(l10n.t('seed {0}', params.seed));
  return parts.join(' · ');
}

/** A short reason a sweep cell failed, to fit in a grid cell. */
export function cellFailureReason(error: AnswerError | undefined): string {
  switch (error?.kind) {
    case 'unreachable':
      return l10n.t('Ollama not reachable');
    case 'modelMissing':
      return l10n.t('Model not pulled');
    case 'cut':
      return l10n.t('Stream cut');
    case 'timeout':
      return l10n.t('Timed out');
    case 'server':
      return error.message ? l10n.t('Server error: {0}', error.message) : l10n.t('Server error');
    default:
      return error?.message || l10n.t('The request failed');
  }
}

/** "3 runs · 2 distinct · 87% similar". */
export function consistencyText(consistency: CellConsistency | undefined, repeats: number): string {
  const answers = consistency?.answers ?? repeats;
  const runs = runCount(answers);
  if (!consistency) return runs;
  const similar = Math.round(Math.min(1, Math.max(0, consistency.similarity)) * 100);
  return [runs, l10n.t('{0} distinct', consistency.distinct), l10n.t('{0}% similar', similar)].join(' · ');
}

/** "1 run", "3 runs". */
export function runCount(n: number): string {
  return n === 1 ? l10n.t('1 run') : l10n.t('{0} runs', n);
}

/** "Case input (2 variables)", the summary of a case's input. */
export function caseInputSummary(entries: number): string {
  return entries === 1 ? l10n.t('Case input (1 variable)') : l10n.t('Case input ({0} variables)', entries);
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
  const n = (value: number): string => value.toLocaleString('en-US');
  const parts = [l10n.t('{0} of {1}', n(finishedCount(counts)), n(counts.total))];
  if (counts.cached > 0) parts.push(l10n.t('{0} cached', n(counts.cached)));
  if (counts.failed > 0) parts.push(l10n.t('{0} failed', n(counts.failed)));
  if (counts.cancelled > 0) parts.push(l10n.t('{0} cancelled', n(counts.cancelled)));
  return parts.join(' · ');
}

/** "2 variants × 2 models × 3 cases" (× parameter points × repeats when there are several). */
export function sweepShape(variants: number, models: number, cases: number, points: number, repeats: number): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const parts = [
    variants === 1 ? l10n.t('1 variant') : l10n.t('{0} variants', n(variants)),
    models === 1 ? l10n.t('1 model') : l10n.t('{0} models', n(models)),
    cases === 1 ? l10n.t('1 case') : l10n.t('{0} cases', n(cases)),
  ];
  if (points > 1) parts.push(l10n.t('{0} parameter points', n(points)));
  if (repeats > 1) parts.push(l10n.t('{0} repeats', n(repeats)));
  return parts.join(' × ');
}

/** "4.2 / 5 (7 ratings)". */
export function scoreText(meanScore: number | undefined, ratings: number | undefined): string | undefined {
  if (meanScore === undefined || !Number.isFinite(meanScore)) return undefined;
  const mean = meanScore.toFixed(1);
  if (ratings === undefined) return l10n.t('{0} / 5', mean);
  return ratings === 1 ? l10n.t('{0} / 5 (1 rating)', mean) : l10n.t('{0} / 5 ({1} ratings)', mean, ratings);
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
