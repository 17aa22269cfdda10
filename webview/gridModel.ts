/**
 * The results grid's pure side: the column layout, the summarised status of a
 * grid cell's repeats, row filters, the virtual window and keyboard movement.
 * No DOM, so it is unit-tested in Node (test/unit/gridModel.test.ts).
 */
import type { CellStatus } from '../src/core/protocol';

/** Columns grouped under a model (its variants side by side) or under a variant (its models side by side). */
export type GridGrouping = 'model' | 'variant';

/** One column of the grid: a variant on a model at one parameter point. */
export interface GridColumn {
  variant: string;
  model: string;
  paramsIndex: number;
  /** `columnKey` of this column. */
  key: string;
}

/** A header spanning adjacent columns: one model (or one variant). */
export interface ColumnGroup {
  /** The model, or the variant when grouped by variant. */
  value: string;
  /** First column index. */
  start: number;
  span: number;
}

export interface GridLayout {
  grouping: GridGrouping;
  columns: GridColumn[];
  groups: ColumnGroup[];
  /** Column index by `columnKey`. */
  indexOf: ReadonlyMap<string, number>;
}

/** The key of a column: variant, model and parameter point. */
export function columnKey(variant: string, model: string, paramsIndex: number): string {
  return `${variant}\u0000${model}\u0000${paramsIndex}`;
}

/** Lays out the columns: grouped by model (variants within) or by variant (models within); parameter points innermost. */
export function buildLayout(sweep: { readonly variants: readonly string[]; readonly models: readonly string[]; readonly params: readonly unknown[] }, grouping: GridGrouping): GridLayout {
  const points = Math.max(1, sweep.params.length);
  const outer = grouping === 'model' ? sweep.models : sweep.variants;
  const inner = grouping === 'model' ? sweep.variants : sweep.models;
  const columns: GridColumn[] = [];
  const groups: ColumnGroup[] = [];
  for (const o of outer) {
    const start = columns.length;
    for (const i of inner) {
      const [variant, model] = grouping === 'model' ? [i, o] : [o, i];
      for (let p = 0; p < points; p++) columns.push({ variant, model, paramsIndex: p, key: columnKey(variant, model, p) });
    }
    groups.push({ value: o, start, span: columns.length - start });
  }
  return { grouping, columns, groups, indexOf: new Map(columns.map((c, i) => [c.key, i])) };
}

/**
 * One status for all repeats of a grid cell: in-flight states first (the most
 * advanced wins), then failed, cancelled, cached (only when every repeat was),
 * else done.
 */
export function summariseStatus(statuses: readonly CellStatus[]): CellStatus {
  if (statuses.length === 0) return 'queued';
  const has = (s: CellStatus): boolean => statuses.includes(s);
  if (has('running')) return 'running';
  if (has('loading')) return 'loading';
  if (has('queued')) return 'queued';
  if (has('failed')) return 'failed';
  if (has('cancelled')) return 'cancelled';
  if (statuses.every((s) => s === 'cached')) return 'cached';
  return 'done';
}

/** An answer reduced for comparison: runs of whitespace become one space, ends trimmed. */
export function normaliseAnswer(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** True when the (already normalised) answers are not all the same. */
export function answersDiffer(normalised: Iterable<string>): boolean {
  let first: string | undefined;
  for (const text of normalised) {
    if (first === undefined) first = text;
    else if (text !== first) return true;
  }
  return false;
}

export interface RowFilter {
  /** Only rows with a failed repeat somewhere. */
  failedOnly: boolean;
  /** Only rows whose finished answers are not all identical. */
  differingOnly: boolean;
}

export interface RowFlags {
  failed: boolean;
  differs: boolean;
}

/** The row indices (into `SweepView.cases`) that pass the filter, in order. */
export function filterRows(rowCount: number, filter: RowFilter, flags: (row: number) => RowFlags): number[] {
  const rows: number[] = [];
  for (let row = 0; row < rowCount; row++) {
    if (filter.failedOnly || filter.differingOnly) {
      const f = flags(row);
      if (filter.failedOnly && !f.failed) continue;
      if (filter.differingOnly && !f.differs) continue;
    }
    rows.push(row);
  }
  return rows;
}

/** A half-open range of item indices [start, end). */
export interface Span {
  start: number;
  end: number;
}

/**
 * The items of fixed `size` that intersect the viewport [offset, offset + viewport),
 * widened by `overscan` items on each side and clamped to [0, count).
 */
export function visibleSpan(offset: number, viewport: number, size: number, count: number, overscan: number): Span {
  if (count <= 0 || size <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, offset);
  const start = Math.min(count, Math.max(0, Math.floor(top / size) - overscan));
  const end = Math.min(count, Math.max(start, Math.ceil((top + Math.max(0, viewport)) / size) + overscan));
  return { start, end };
}

/**
 * The scroll offset that shows the item at [start, start + size) inside a
 * viewport, moving as little as possible (unchanged when it is already visible).
 */
export function revealOffset(current: number, viewport: number, start: number, size: number): number {
  if (start < current) return start;
  if (start + size > current + viewport) return Math.max(0, start + size - viewport);
  return current;
}

/** A position in the grid: row = position among the filtered rows, column = index in the layout. */
export interface GridPosition {
  row: number;
  column: number;
}

export interface GridExtent {
  rows: number;
  columns: number;
  /** Rows moved by PageUp / PageDown. */
  pageRows: number;
}

/**
 * Where a key moves the focus in the grid (the ARIA grid pattern): arrows by
 * one, Home/End along the row (with Ctrl: to the first/last cell), PageUp/Down
 * by a page. Undefined for keys that do not move, or an empty grid.
 */
export function moveInGrid(from: GridPosition, key: string, extent: GridExtent, ctrl = false): GridPosition | undefined {
  if (extent.rows <= 0 || extent.columns <= 0) return undefined;
  const clampRow = (r: number): number => Math.min(extent.rows - 1, Math.max(0, r));
  const clampCol = (c: number): number => Math.min(extent.columns - 1, Math.max(0, c));
  const row = clampRow(from.row);
  const column = clampCol(from.column);
  const page = Math.max(1, extent.pageRows);
  switch (key) {
    case 'ArrowUp':
      return { row: clampRow(row - 1), column };
    case 'ArrowDown':
      return { row: clampRow(row + 1), column };
    case 'ArrowLeft':
      return { row, column: clampCol(column - 1) };
    case 'ArrowRight':
      return { row, column: clampCol(column + 1) };
    case 'Home':
      return ctrl ? { row: 0, column: 0 } : { row, column: 0 };
    case 'End':
      return ctrl ? { row: extent.rows - 1, column: extent.columns - 1 } : { row, column: extent.columns - 1 };
    case 'PageUp':
      return { row: clampRow(row - page), column };
    case 'PageDown':
      return { row: clampRow(row + page), column };
    default:
      return undefined;
  }
}

/**
 * A plain-text preview of an answer for a grid cell: Markdown markers dropped,
 * whitespace collapsed, cut at `maxChars`. Only the start of a long answer is read.
 */
export function previewText(text: string, maxChars = 280): string {
  const head = text.length > maxChars * 4 ? text.slice(0, maxChars * 4) : text;
  const plain = head
    .replace(/^\s{0,3}(```|~~~).*$/gm, ' ')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/^\s{0,3}\|?[\s:|-]*-{3,}[\s:|-]*$/gm, ' ')
    .replace(/^\s*[-*+]\s+/gm, '• ')
    // Emphasis markers only where Markdown would read them: `a__b` and `5 * 3` stay as they are.
    .replace(/\*\*(?=\S)([^*]*?\S)\*\*/g, '$1')
    .replace(/(^|[^\w])__(?=\S)([^_]*?\S)__(?!\w)/gm, '$1$2')
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/gm, '$1$2')
    .replace(/(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])/gm, '$1$2')
    .replace(/`+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > maxChars ? `${plain.slice(0, maxChars - 1).trimEnd()}…` : plain;
}

/**
 * The grid cell key as a readable attribute value for tests and tooling:
 * "variant/model/case/params", with '%' and '/' inside a part percent-escaped.
 */
export function cellKeyAttribute(key: string): string {
  return key
    .split('\u0000')
    .map((part) => part.replace(/%/g, '%25').replace(/\//g, '%2F'))
    .join('/');
}
