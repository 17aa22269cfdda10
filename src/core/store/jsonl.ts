/**
 * The store's file format: JSONL, one record per line, lines in a stable order and
 * keys within a line in a stable order, so two people's files merge line by line in
 * git. Lines are kept as the text read or written: a shard is never re-serialized
 * just to be written back, and records are parsed only when asked for.
 */
import type {
  AnswerRecord,
  CellRecord,
  LineageRecord,
  PairRecord,
  PromptRecord,
  RatingRecord,
  RunRecord,
  SuggestionRecord,
} from './records';

/** One stored line with what its file is sorted and deduplicated by. */
export interface Row {
  /** Unique within the file: key, hash, id, variant, family or cellId. */
  id: string;
  /** Sorts before id: createdAt, or 0 where lines sort by id alone. */
  order: number;
  /** Of two lines with one id, the higher rank wins (a merge may leave both). */
  rank: number;
  line: string;
}

/** What one file holds in memory: its lines by id, and a run file's header. */
export interface Rows {
  head?: Row;
  rows: Map<string, Row>;
}

/** How records of one kind are identified, ordered and written. */
export interface RowKind {
  readonly name: string;
  /** Top-level keys in the order written; others follow, sorted. */
  readonly fields: readonly string[];
  /** The field holding the id within the file. */
  readonly idField: string;
  /** The id; undefined when the record lacks it (such a line is dropped as damaged). */
  id(record: Record<string, unknown>): string | undefined;
  order(record: Record<string, unknown>): number;
  rank(record: Record<string, unknown>): number;
  /**
   * Lines as this store writes them (`{"<idField>":"<id>",…}`) are taken without
   * parsing when a file is read; their JSON is checked when the record is. For the
   * answer shards, where parsing every line of every shard read would cost more
   * than the lookups themselves.
   */
  readonly trustsWrittenLines?: boolean;
}

/** The kinds of line in one file: a run file has a header line, the others do not. */
export interface RowsCodec {
  readonly row: RowKind;
  readonly head?: RowKind;
}

type Complete<T, K extends readonly PropertyKey[]> = [Exclude<keyof T, K[number]>] extends [never] ? K : { missingFields: Exclude<keyof T, K[number]> };
/** A record type's field order, checked by the compiler to name every field. */
function fieldsOf<T>() {
  return <const K extends readonly (keyof T & string)[]>(keys: K & Complete<T, K>): readonly string[] => keys;
}

const stringField = (name: string) => (record: Record<string, unknown>): string | undefined => {
  const value = record[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};
const numberField = (...names: string[]) => (record: Record<string, unknown>): number => {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return 0;
};

/** Answers (the cache): by key; a newer answer for a key wins a merge. */
export const answerKind: RowKind = {
  name: 'answer',
  fields: fieldsOf<AnswerRecord>()(['key', 'family', 'variant', 'model', 'modelDigest', 'host', 'caseKey', 'params', 'repeat', 'promptHash', 'status', 'text', 'thinking', 'error', 'metrics', 'createdAt', 'runId']),
  idField: 'key',
  id: stringField('key'),
  order: () => 0,
  rank: numberField('createdAt'),
  trustsWrittenLines: true,
};

/**
 * Prompts: by hash. Written once: a put leaves a stored hash as it is, and of two
 * lines with one hash (a merge) the older one wins, as if the later put had been the
 * second. Lines as written are trusted, as for answers.
 */
export const promptKind: RowKind = {
  name: 'prompt',
  fields: fieldsOf<PromptRecord>()(['hash', 'family', 'variant', 'messages', 'options', 'format', 'input', 'createdAt']),
  idField: 'hash',
  id: stringField('hash'),
  order: () => 0,
  rank: (record) => -numberField('createdAt')(record),
  trustsWrittenLines: true,
};

/** Ratings: by createdAt then id; an edit keeps createdAt, so its line stays in place. */
export const ratingKind: RowKind = {
  name: 'rating',
  fields: fieldsOf<RatingRecord>()(['id', 'answerKey', 'family', 'variant', 'model', 'caseKey', 'params', 'score', 'comment', 'tags', 'createdAt', 'updatedAt']),
  idField: 'id',
  id: stringField('id'),
  order: numberField('createdAt'),
  rank: numberField('updatedAt', 'createdAt'),
};

export const pairKind: RowKind = {
  name: 'pair',
  fields: fieldsOf<PairRecord>()(['id', 'family', 'caseKey', 'left', 'right', 'winner', 'comment', 'createdAt']),
  idField: 'id',
  id: stringField('id'),
  order: numberField('createdAt'),
  rank: numberField('createdAt'),
};

export const suggestionKind: RowKind = {
  name: 'suggestion',
  fields: fieldsOf<SuggestionRecord>()(['id', 'family', 'parentVariant', 'technique', 'critique', 'text', 'optimizerModel', 'createdAt', 'status', 'acceptedAs']),
  idField: 'id',
  id: stringField('id'),
  order: numberField('createdAt'),
  rank: numberField('createdAt'),
};

/** Lineage: one line per variant, by createdAt then variant. */
export const lineageKind: RowKind = {
  name: 'lineage',
  fields: fieldsOf<LineageRecord>()(['family', 'variant', 'parent', 'suggestionId', 'technique', 'createdAt']),
  idField: 'variant',
  id: stringField('variant'),
  order: numberField('createdAt'),
  rank: numberField('createdAt'),
};

/** The families that have answers (`answers/families.jsonl`), so listing families never reads shards. */
export const familyIndexKind: RowKind = {
  name: 'family',
  fields: ['family'],
  idField: 'family',
  id: stringField('family'),
  order: () => 0,
  rank: () => 0,
};

export const runKind: RowKind = {
  name: 'run',
  fields: fieldsOf<RunRecord>()(['runId', 'kind', 'family', 'createdAt', 'finishedAt', 'state', 'owner', 'variants', 'models', 'cases', 'params', 'repeats']),
  idField: 'runId',
  id: stringField('runId'),
  order: () => 0,
  rank: numberField('finishedAt', 'createdAt'),
};

export const cellKind: RowKind = {
  name: 'cell',
  fields: fieldsOf<CellRecord>()(['cellId', 'variant', 'model', 'caseIndex', 'paramsIndex', 'repeat', 'status', 'answerKey', 'error', 'attempts']),
  idField: 'cellId',
  id: stringField('cellId'),
  order: () => 0,
  rank: () => 0,
};

/** A run file: the RunRecord header line, then one CellRecord per line by cellId. */
export const runFileCodec: RowsCodec = { head: runKind, row: cellKind };

/**
 * One record as a line: top-level keys in the kind's order (unknown keys after,
 * sorted), nested objects with sorted keys, undefined values left out.
 */
export function canonicalLine(record: object, fields: readonly string[]): string {
  const source = record as Record<string, unknown>;
  const known = new Set(fields);
  const keys = [...fields, ...Object.keys(source).filter((key) => !known.has(key)).sort()];
  const parts: string[] = [];
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
    const text = JSON.stringify(source[key], sortedKeys) as string | undefined;
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  // A null prototype keeps a key named "__proto__" an ordinary key.
  const sorted = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}

/** A record as a Row of its kind; throws a TypeError when it lacks its id. */
export function rowOf(kind: RowKind, record: object): Row {
  const fields = record as Record<string, unknown>;
  const id = kind.id(fields);
  if (id === undefined) throw new TypeError(`A ${kind.name} record needs a non-empty string ${kind.idField}.`);
  return { id, order: kind.order(fields), rank: kind.rank(fields), line: canonicalLine(record, kind.fields) };
}

/** The result of reading one file: the good lines, and how many were not. */
export interface ParsedRows {
  rows: Rows;
  /** Lines dropped: not JSON, not an object, or without their id. */
  bad: number;
  /** Non-empty lines in the file. */
  total: number;
}

/**
 * Parses a JSONL file; never throws: lines that do not parse are counted in `bad`.
 * `verify` parses every line, even where the kind trusts written lines.
 */
export function parseRows(text: string, codec: RowsCodec, verify = false): ParsedRows {
  const rows: Rows = { rows: new Map() };
  const trusted = !verify && codec.row.trustsWrittenLines === true ? `{${JSON.stringify(codec.row.idField)}:"` : undefined;
  let bad = 0;
  let total = 0;
  // A BOM, left by some Windows editors, would make the first line unreadable.
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.length > 0 && (line.charCodeAt(0) <= 32 || line.charCodeAt(line.length - 1) <= 32)) line = line.trim();
    if (line.length === 0) continue;
    total++;
    const fast = trusted === undefined ? undefined : trustedRow(line, trusted);
    if (fast) {
      addRow(rows, fast, codec.row);
      continue;
    }
    const record = parseObject(line);
    if (!record) {
      bad++;
      continue;
    }
    if (codec.head && !('cellId' in record) && codec.head.id(record) !== undefined) {
      const head = { id: codec.head.id(record) as string, order: 0, rank: codec.head.rank(record), line };
      if (!rows.head || head.rank >= rows.head.rank) rows.head = head;
      continue;
    }
    const id = codec.row.id(record);
    if (id === undefined) {
      bad++;
      continue;
    }
    addRow(rows, { id, order: codec.row.order(record), rank: codec.row.rank(record), line }, codec.row);
  }
  // A run file without its header cannot be used: every line counts as lost.
  if (codec.head && !rows.head && total > 0) return { rows: { rows: new Map() }, bad: total, total };
  return { rows, bad, total };
}

/** A written line's row without parsing it; its rank is NaN (unknown) until needed. */
function trustedRow(line: string, prefix: string): Row | undefined {
  if (!line.startsWith(prefix) || line.charCodeAt(line.length - 1) !== 125 /* } */) return undefined;
  const close = line.indexOf('"', prefix.length);
  if (close <= prefix.length) return undefined;
  const id = line.slice(prefix.length, close);
  const after = line.charCodeAt(close + 1);
  if (id.includes('\\') || (after !== 44 /* , */ && after !== 125)) return undefined;
  return { id, order: 0, rank: NaN, line };
}

/** Adds a row; of two with one id (a git merge may leave both) the higher rank wins, ties the later. */
function addRow(rows: Rows, row: Row, kind: RowKind): void {
  const existing = rows.rows.get(row.id);
  if (existing && rankOf(existing, kind) > rankOf(row, kind)) return;
  rows.rows.set(row.id, row);
}

function rankOf(row: Row, kind: RowKind): number {
  if (!Number.isNaN(row.rank)) return row.rank;
  const record = parseObject(row.line);
  return record ? kind.rank(record) : -Infinity;
}

/** The file text: the header line, then the lines by order then id; '' when empty. */
export function stringifyRows(rows: Rows): string {
  const lines = sortedRows(rows).map((row) => row.line);
  if (rows.head) lines.unshift(rows.head.line);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The lines of a file in their written order (without the header). */
export function sortedRows(rows: Rows): Row[] {
  return [...rows.rows.values()].sort(compareRows);
}

function compareRows(a: Row, b: Row): number {
  if (a.order !== b.order) return a.order - b.order;
  // Code-unit order, not localeCompare: the same on every machine and Node version.
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A JSON object line, or undefined (not JSON, or an array, string, number or null). */
export function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Clones the map (not the lines) so a failed write leaves the old view intact. */
export function cloneRows(rows: Rows): Rows {
  return { head: rows.head, rows: new Map(rows.rows) };
}
