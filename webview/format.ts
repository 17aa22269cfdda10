/** Words and numbers the panel shows; pure functions, no DOM. */
import type { AnswerError, AnswerMetrics, AnswerStatus } from '../src/core/protocol';

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
