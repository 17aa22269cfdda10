/**
 * Test cases: the inputs a prompt family is run with. They live beside the base
 * prompt in one sidecar shared by all its variants — `summarize.cases.yaml`
 * (a YAML list of input mappings), or `.jsonl` (one JSON object per line), or
 * `.csv` (a header row of variable names).
 */
import * as path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml, YAMLParseError } from 'yaml';

export interface TestCase {
  /** 0-based position in the file. */
  index: number;
  /** 0-based line where the case starts, when known. */
  line?: number;
  input: Record<string, unknown>;
}

export interface CaseProblem {
  line: number;
  message: string;
}

export interface ParsedCases {
  cases: TestCase[];
  problems: CaseProblem[];
}

export const caseFileExtensions = ['.cases.yaml', '.cases.yml', '.cases.jsonl', '.cases.csv'] as const;

/** Splits `summarize.concise.prompt` into its family `summarize` and variant `concise`. */
export function promptFamily(filePath: string): { folder: string; family: string; variant?: string } {
  const folder = path.dirname(filePath);
  const base = path.basename(filePath).replace(/\.prompt$/i, '');
  const dot = base.indexOf('.');
  if (dot <= 0) return { folder, family: base };
  return { folder, family: base.slice(0, dot), variant: base.slice(dot + 1) };
}

/** The sidecar paths a prompt's cases may live in, in order of preference. */
export function caseFileCandidates(promptPath: string): string[] {
  const { folder, family } = promptFamily(promptPath);
  return caseFileExtensions.map((ext) => path.join(folder, family + ext));
}

/** Parses a cases file by its extension. Never throws: problems carry their line. */
export function parseCases(text: string, fileName: string): ParsedCases {
  const clean = text.replace(/^\uFEFF/, '');
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return parseJsonl(clean);
  if (lower.endsWith('.csv')) return parseCsvCases(clean);
  return parseYamlCases(clean);
}

function parseYamlCases(text: string): ParsedCases {
  const problems: CaseProblem[] = [];
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    const line = error instanceof YAMLParseError && error.linePos ? error.linePos[0].line - 1 : 0;
    return { cases: [], problems: [{ line, message: `Not valid YAML: ${(error as Error).message.split('\n')[0]}` }] };
  }
  if (data === null || data === undefined) return { cases: [], problems };
  if (!Array.isArray(data)) {
    return { cases: [], problems: [{ line: 0, message: 'A cases file is a YAML list: one "- " item per case, each a mapping of variable names to values.' }] };
  }
  const starts = itemStartLines(text);
  const cases: TestCase[] = [];
  data.forEach((item, index) => {
    const line = starts[index];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ line: line ?? 0, message: `Case ${index + 1} is not a mapping of variable names to values.` });
      return;
    }
    cases.push({ index, line, input: item as Record<string, unknown> });
  });
  return { cases, problems };
}

/** Lines of the top-level `- ` items of a YAML sequence. */
function itemStartLines(text: string): number[] {
  const lines = text.split(/\r?\n/);
  const starts: number[] = [];
  lines.forEach((line, index) => {
    if (/^-(\s|$)/.test(line)) starts.push(index);
  });
  return starts;
}

function parseJsonl(text: string): ParsedCases {
  const cases: TestCase[] = [];
  const problems: CaseProblem[] = [];
  text.split(/\r?\n/).forEach((line, lineIndex) => {
    if (!line.trim()) return;
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push({ line: lineIndex, message: 'Each line must be a JSON object of variable names to values.' });
        return;
      }
      cases.push({ index: cases.length, line: lineIndex, input: value as Record<string, unknown> });
    } catch (error) {
      problems.push({ line: lineIndex, message: `Not valid JSON: ${(error as Error).message}` });
    }
  });
  return { cases, problems };
}

function parseCsvCases(text: string): ParsedCases {
  const { rows, problems } = parseCsv(text);
  if (rows.length === 0) return { cases: [], problems };
  const header = rows[0].cells.map((cell) => cell.trim());
  if (header.some((name) => !name)) problems.push({ line: rows[0].line, message: 'Every CSV column needs a variable name in the header row.' });
  const cases: TestCase[] = [];
  for (const row of rows.slice(1)) {
    if (row.cells.length === 1 && row.cells[0] === '') continue;
    if (row.cells.length !== header.length) {
      problems.push({ line: row.line, message: `Row has ${row.cells.length} cells; the header has ${header.length}.` });
    }
    const input: Record<string, unknown> = {};
    header.forEach((name, column) => {
      if (name) input[name] = row.cells[column] ?? '';
    });
    cases.push({ index: cases.length, line: row.line, input });
  }
  return { cases, problems };
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): { rows: { line: number; cells: string[] }[]; problems: CaseProblem[] } {
  const rows: { line: number; cells: string[] }[] = [];
  const problems: CaseProblem[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 0;
  let rowLine = 0;
  let quoteStartLine = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
      quoteStartLine = line;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted) problems.push({ line: quoteStartLine, message: 'A quoted CSV field is never closed.' });
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return { rows, problems };
}

/** A short label for a case in pickers: "case 2: The quarterly report…". */
export function caseLabel(testCase: TestCase): string {
  const first = Object.values(testCase.input).find((value) => typeof value === 'string' && value.trim());
  const preview = typeof first === 'string' ? first.replace(/\s+/g, ' ').trim() : JSON.stringify(testCase.input);
  return `case ${testCase.index + 1}: ${preview.length > 60 ? preview.slice(0, 59) + '…' : preview}`;
}

/** Whether two inputs hold the same values (key order aside). */
export function sameInput(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) return false;
  }
  return true;
}

/**
 * The text of a cases file with one more case at its end, in the file's own
 * format. Comments and the existing cases are kept as written. A CSV file gains
 * header columns for variables it did not have (earlier rows get empty cells).
 */
export function appendCase(text: string, fileName: string, input: Record<string, unknown>): string {
  const lower = fileName.toLowerCase();
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const withBreak = text === '' || text.endsWith('\n') ? text : text + eol;
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return withBreak + JSON.stringify(input) + eol;
  if (lower.endsWith('.csv')) return appendCsvRow(text, input, eol);
  return withBreak + stringifyYaml([input], { lineWidth: 0 }).replace(/\n/g, eol);
}

function appendCsvRow(text: string, input: Record<string, unknown>, eol: string): string {
  const { rows } = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = rows[0]?.cells.map((c) => c.trim()) ?? [];
  const added = Object.keys(input).filter((key) => !header.includes(key));
  const columns = [...header, ...added];
  const cell = (value: unknown) => {
    const textValue = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    return /[",\r\n]|^\s|\s$/.test(textValue) ? `"${textValue.replace(/"/g, '""')}"` : textValue;
  };
  const newRow = columns.map((c) => cell(input[c])).join(',');
  if (added.length === 0 && rows.length > 0) {
    return (text.endsWith('\n') ? text : text + eol) + newRow + eol;
  }
  // New columns: rewrite the header and pad the rows (their cells are re-quoted as needed).
  const body = rows.slice(1).filter((r) => !(r.cells.length === 1 && r.cells[0] === '')).map((r) => [...r.cells, ...Array<string>(Math.max(0, columns.length - r.cells.length)).fill('')].map(cell).join(','));
  return [columns.map(cell).join(','), ...body, newRow].join(eol) + eol;
}
