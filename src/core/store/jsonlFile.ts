/**
 * The lowdb side of the store: the `Low` that holds each file and the adapter that
 * reads and writes it as JSONL. lowdb is ESM-only while this package compiles to
 * CommonJS, so it is loaded with `import()` (esbuild inlines it into the bundle).
 */
import { open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as Lowdb from 'lowdb' with { 'resolution-mode': 'import' };
import type * as LowdbNode from 'lowdb/node' with { 'resolution-mode': 'import' };
import { parseRows, stringifyRows } from './jsonl';
import type { ParsedRows, Rows, RowsCodec } from './jsonl';

/** Writes a whole file; replaced in tests to inject ENOSPC, EACCES and the like. */
export type WriteText = (file: string, text: string) => Promise<void>;

let modules: Promise<[typeof Lowdb, typeof LowdbNode]> | undefined;

/** lowdb and lowdb/node, loaded once. */
export function loadLowdb(): Promise<[typeof Lowdb, typeof LowdbNode]> {
  modules ??= Promise.all([import('lowdb'), import('lowdb/node')]);
  return modules;
}

/**
 * The default low-level write: lowdb's `TextFile`, whose steno `Writer` writes
 * `.<name>.tmp` beside the file and then renames it over the file (checked in
 * steno 4's source). A rename is atomic on one file system, so a crash mid-write
 * leaves the old file or the new one, never half of one. steno does not fsync: a
 * power cut may still lose the last write, which for this store is acceptable.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const [, lowdbNode] = await loadLowdb();
  try {
    await new lowdbNode.TextFile(file).write(text);
  } catch (error) {
    // A full disk leaves a partial temp file behind; the real file is untouched.
    await rm(tempFileOf(file), { force: true }).catch(() => undefined);
    throw error;
  }
}

/** steno's temp file for `file` (it ignores such names when listing). */
export function tempFileOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.tmp`);
}

/** What identifies one version of a file on disk. */
export interface FileSig {
  size: number;
  mtimeMs: number;
  ino: number;
}

export function sameSig(a: FileSig | null | undefined, b: FileSig | null | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/**
 * A lowdb adapter for one JSONL file. `read` also records the version it read
 * (from the same open file, so the signature always matches the text) and how
 * many lines were damaged; a missing file reads as empty.
 */
export class JsonlFile implements Lowdb.Adapter<Rows> {
  /** What the last `read` found. */
  lastRead: { sig: FileSig | null; parsed: ParsedRows } | undefined;
  /** Parse every line on the next read, even where the kind trusts written lines. */
  verifyNextRead = false;

  constructor(
    readonly file: string,
    private readonly codec: RowsCodec,
    private readonly writeText: WriteText,
  ) {}

  async read(): Promise<Rows> {
    const { text, sig } = await readText(this.file);
    const parsed = parseRows(text ?? '', this.codec, this.verifyNextRead);
    this.verifyNextRead = false;
    this.lastRead = { sig, parsed };
    return parsed.rows;
  }

  write(data: Rows): Promise<void> {
    return this.writeText(this.file, stringifyRows(data));
  }
}

/** A file's text and its signature, read through one descriptor; null for a missing file. */
export async function readText(file: string): Promise<{ text: string | null; sig: FileSig | null }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return { text: null, sig: null };
    throw error;
  }
  try {
    const stat = await handle.stat();
    // One decode of the whole buffer: much faster than readFile('utf8')'s streaming decoder.
    const text = (await handle.readFile()).toString('utf8');
    return { text, sig: { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino } };
  } finally {
    await handle.close();
  }
}

/**
 * The first line of a file (a run's header) without reading the rest; null for a
 * missing file. Reads in 64 KiB steps since a header with case inputs can be long.
 */
export async function readFirstLine(file: string): Promise<{ line: string; sig: FileSig } | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    const stat = await handle.stat();
    const chunks: Buffer[] = [];
    let position = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      const newline = chunk.subarray(0, bytesRead).indexOf(10);
      chunks.push(chunk.subarray(0, newline >= 0 ? newline : bytesRead));
      position += bytesRead;
      if (newline >= 0 || bytesRead === 0) break;
    }
    return { line: Buffer.concat(chunks).toString('utf8'), sig: { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino } };
  } finally {
    await handle.close();
  }
}

/** The error says the file is not there (ENOTDIR: a folder on its path is a file). */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The `code` of a Node system error ('ENOENT', 'EACCES', …), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
