/** Sweep results as CSV or JSONL: one row per cell, for spreadsheets and scripts. */
import type { SweepView } from '../protocol';
import { variantLabel } from '../family';

/** One exported row. Field names are stable: scripts read them. */
export interface ExportRow {
  sweep_id: string;
  family: string;
  variant: string;
  model: string;
  case_index: number;
  case_label: string;
  input: Record<string, unknown>;
  temperature?: number;
  seed?: number;
  repeat: number;
  status: string;
  error?: string;
  text: string;
  ttft_ms?: number;
  tokens_per_second?: number;
  prompt_tokens?: number;
  answer_tokens?: number;
  load_ms?: number;
  total_ms?: number;
  done_reason?: string;
  answer_key?: string;
  /** Mean rating of the answer, when rated. */
  score?: number;
  comment?: string;
}

export const exportColumns: readonly (keyof ExportRow)[] = [
  'sweep_id', 'family', 'variant', 'model', 'case_index', 'case_label', 'input', 'temperature', 'seed', 'repeat', 'status', 'error', 'text',
  'ttft_ms', 'tokens_per_second', 'prompt_tokens', 'answer_tokens', 'load_ms', 'total_ms', 'done_reason', 'answer_key', 'score', 'comment',
];

/** Rows in grid order: case, then variant, model, parameter point, repeat. */
export function exportRows(sweep: SweepView, ratings?: ReadonlyMap<string, { score: number; comment?: string }>): ExportRow[] {
  const variantOrder = new Map(sweep.variants.map((v, i) => [v, i]));
  const modelOrder = new Map(sweep.models.map((m, i) => [m, i]));
  const cells = [...sweep.cells].sort(
    (a, b) =>
      a.caseIndex - b.caseIndex ||
      (variantOrder.get(a.variant) ?? 0) - (variantOrder.get(b.variant) ?? 0) ||
      (modelOrder.get(a.model) ?? 0) - (modelOrder.get(b.model) ?? 0) ||
      a.paramsIndex - b.paramsIndex ||
      a.repeat - b.repeat,
  );
  return cells.map((cell) => {
    const testCase = sweep.cases[cell.caseIndex];
    const params = sweep.params[cell.paramsIndex] ?? {};
    const m = cell.metrics ?? {};
    const rating = cell.answerKey ? ratings?.get(cell.answerKey) : undefined;
    const row: ExportRow = {
      sweep_id: sweep.sweepId,
      family: sweep.family,
      variant: variantLabel(cell.variant),
      model: cell.model,
      case_index: (testCase?.index ?? cell.caseIndex) + 1,
      case_label: testCase?.label ?? '',
      input: testCase?.input ?? {},
      temperature: params.temperature,
      seed: params.seed,
      repeat: cell.repeat + 1,
      status: cell.status,
      error: cell.error?.message,
      text: cell.text,
      ttft_ms: round(m.ttftMs),
      tokens_per_second: round(m.tokensPerSecond, 2),
      prompt_tokens: m.promptTokens,
      answer_tokens: m.answerTokens,
      load_ms: round(m.loadMs),
      total_ms: round(m.totalMs),
      done_reason: m.doneReason,
      answer_key: cell.answerKey,
      score: rating?.score,
      comment: rating?.comment,
    };
    return row;
  });
}

function round(value: number | undefined, digits = 0): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** JSONL: one JSON object per line, columns in `exportColumns` order, absent values left out. */
export function toJsonl(rows: readonly ExportRow[]): string {
  return rows.map((row) => JSON.stringify(Object.fromEntries(exportColumns.filter((c) => row[c] !== undefined).map((c) => [c, row[c]])))).join('\n') + (rows.length ? '\n' : '');
}

/** CSV of sweep rows, columns in `exportColumns` order. */
export function toCsv(rows: readonly ExportRow[]): string {
  return csvTable(exportColumns, rows);
}

/**
 * CSV (RFC 4180) with a header row. Text that a spreadsheet would run as a
 * formula (starting with =, +, @, a tab, or - not followed by a space) gets a
 * leading apostrophe: model output is untrusted. Objects become JSON.
 */
export function csvTable<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) {
    lines.push(
      columns
        .map((column) => {
          const value: unknown = row[column];
          if (value === undefined || value === null) return '';
          if (typeof value === 'number') return String(value);
          const text = typeof value === 'string' ? neutralizeFormula(value) : JSON.stringify(value);
          return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
        })
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

function neutralizeFormula(text: string): string {
  return /^[=+@\t\r]|^-(?!\s)/.test(text) ? `'${text}` : text;
}
