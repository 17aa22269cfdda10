/**
 * The workspace store: sweep answers (which are also the request cache), the
 * rendered prompts they answer, runs, and the user's ratings, pairs, suggestions and
 * lineage, as JSONL files under one folder (layout in `records.ts`). Each file is
 * held and written by a lowdb `Low` through the JSONL adapter in `jsonlFile.ts`.
 *
 * Why sharded: answers are many (100,000 is a long month of sweeps) and large, and
 * are looked up by key. They live in up to 256 shards by the key's first two hex
 * digits, read only when a key in them is first asked for and kept in memory in an
 * LRU of loaded shards, so opening the store reads no answers and memory stays
 * bounded; adding an answer rewrites one shard (~1/256 of the cache), not the cache.
 * Prompts (the rendered messages, options, format and input behind an answer's
 * `promptHash`) are sharded the same way by hash under `prompts/`, with an LRU of
 * their own so an export reading prompts does not evict the answers a sweep uses.
 * They are write-once: many answers share one, so putPrompts adds only hashes not
 * stored yet and writes nothing when every hash is there.
 * The small, often-written records get one file per family, so a rating rewrites
 * only that family's ratings. Lines are kept as text: a file is written back
 * without re-serializing its records, and records are parsed only when asked for.
 *
 * What is written when: every put/delete/saveRun is queued; the queue is drained in
 * batches, and each batch writes each touched file once (200 concurrent ratings of
 * one family are one write; putAnswers is one write per touched shard). A write
 * replaces the whole file atomically (temp file + rename, see `writeFileAtomic`),
 * and only then does the in-memory view change: a failed write (full disk, no
 * permission) leaves both the file and the view as they were. Nothing is written
 * on open or on read, except to repair a damaged file: its readable lines are kept,
 * the original is moved aside to `<name>.corrupt-<time>` and the user is told.
 * (Answer and prompt lines in the form this store writes are checked when the record
 * is read rather than when its shard is: parsing every line of every shard read would
 * cost more than the lookups. A damaged one found then is handled the same way.)
 *
 * The lock protocol, for two processes on one store (a VS Code window and the CLI):
 * each batch runs under `<store>/.lock`, a file created with O_EXCL holding pid,
 * host and time, held for that batch only (milliseconds). Under the lock, before a
 * file is modified, its size + mtime + inode are compared with what this process
 * last read or wrote; if they differ the file is read again, so the other process's
 * updates are merged, never overwritten. A lock whose process is dead (same host)
 * or that is older than 30 s is broken; a lock that cannot be had within
 * `lockTimeoutMs` fails the batch with a 'locked' problem naming the holder. Reads
 * take no lock: a rename swaps whole files, so a reader sees the old or the new one.
 *
 * Runs left 'running' by a process that died: a run's header names its owner (pid,
 * host, start time; `ownerInfo()`). getRun and listRuns report a 'running' run as
 * 'interrupted' when its owner is on this host and not alive (the lock's check), or
 * when it has no owner and its file is more than 10 minutes old (see `runOwner.ts`).
 * They only report it: the file is not rewritten, since reading takes no lock and a
 * writer elsewhere may still own the run.
 */
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type * as Lowdb from 'lowdb' with { 'resolution-mode': 'import' };
import { familyFileName, familyFromFileName, isHashedFileName } from './familyFileName';
import {
  answerKind,
  cellKind,
  cloneRows,
  familyIndexKind,
  lineageKind,
  pairKind,
  parseObject,
  promptKind,
  ratingKind,
  rowOf,
  runFileCodec,
  runKind,
  sortedRows,
  suggestionKind,
} from './jsonl';
import type { Row, RowKind, Rows, RowsCodec } from './jsonl';
import { JsonlFile, errorCode, isMissing, loadLowdb, readFirstLine, sameSig, writeFileAtomic } from './jsonlFile';
import type { FileSig, WriteText } from './jsonlFile';
import type {
  AnswerRecord,
  CellRecord,
  FamilyId,
  LineageRecord,
  PairRecord,
  PromptRecord,
  RatingRecord,
  RunRecord,
  StoreProblem,
  SuggestionRecord,
} from './records';
import { StoreError, corruptProblem, readProblem, writeProblem } from './storeError';
import { reportedRun } from './runOwner';
import { LockTimeoutError, StoreLock, describeHolder } from './storeLock';

export { StoreError } from './storeError';
export { ownerInfo } from './runOwner';
export { familyFileName, familyFromFileName } from './familyFileName';
export { writeFileAtomic } from './jsonlFile';

/** How a store reports problems, waits for locks, and (in tests) writes files. */
export interface StoreOptions {
  /** Told of every problem (corrupt file moved aside, unwritable folder, full disk, lock timeout). */
  onProblem?(problem: StoreProblem): void;
  /** How long to wait for another process's lock before failing (default 10 s). */
  lockTimeoutMs?: number;
  /** A lock older than this is broken whoever holds it (default 30 s). */
  staleLockMs?: number;
  /** The clock for the names of moved-aside damaged files (the lock uses the real clock: other processes read it). */
  now?(): number;
  /** Test seam: replaces the low-level whole-file write (to inject ENOSPC/EACCES etc.); default `writeFileAtomic`. */
  writeFile?(file: string, text: string): Promise<void>;
  /** Answer shards kept in memory at most (default 64 of the 256). */
  maxLoadedShards?: number;
  /** Prompt shards kept in memory at most (default 32 of the 256); a budget of their own, so reading prompts never evicts answers. */
  maxLoadedPromptShards?: number;
}

/** What the store holds in memory, for tests and the benchmark. */
export interface StoreStats {
  loadedAnswerShards: number;
  loadedPromptShards: number;
  loadedRuns: number;
  loadedRecordFiles: number;
  pendingWrites: number;
}

type Group = 'answers' | 'prompts' | 'runs' | 'records';
/** The content-addressed, sharded records. */
type ShardGroup = 'answers' | 'prompts';

/** Where a file is and how to read it. */
interface FileSpec {
  path: string;
  group: Group;
  codec: RowsCodec;
}

/** One file as this process knows it. */
interface Entry extends FileSpec {
  adapter: JsonlFile;
  db: Lowdb.Low<Rows>;
  loaded: boolean;
  /** The version last read or written; undefined = unknown (read again before use). */
  sig: FileSig | null | undefined;
  /** Damaged lines were dropped from the view but are still in the file (awaiting repair). */
  damaged: { bad: number; total: number } | undefined;
  /** A line taken unparsed (see `trustsWrittenLines`) did not parse: read every line again. */
  suspect: boolean;
  /** Callers inside; an entry in use is never evicted. */
  users: number;
  /** Serializes reloads, reads and writes of this file within the process. */
  tail: Promise<unknown>;
}

interface WriteOp {
  spec: FileSpec;
  /** Parse every line of the file before applying (a trusted line turned out damaged). */
  verify?: boolean;
  /** Changes the (copied) rows; returns whether anything changed. */
  apply(rows: Rows): boolean;
  resolve(): void;
  reject(error: unknown): void;
}

type RecordFolder = 'ratings' | 'pairs' | 'suggestions' | 'lineage';

const loadedRunsLimit = 8;
const runHeadersLimit = 1_000;
/** Files written per lock hold, so a huge batch still lets the other process in between. */
const filesPerHold = 32;
/** Shards read at once by getAnswers and getPrompts. */
const readConcurrency = 4;
const shardPattern = /^[0-9a-f]{2}$/;

/** The workspace store; see the header comment for the design. */
export class PromptStore {
  private readonly groups: Record<Group, Map<string, Entry>> = { answers: new Map(), prompts: new Map(), runs: new Map(), records: new Map() };
  private queue: WriteOp[] = [];
  private draining: Promise<void> | undefined;
  private readonly lock: StoreLock;
  private readonly knownDirs = new Set<string>();
  /** Run header lines by file, so listing runs again reads only files that changed. */
  private readonly runHeaders = new Map<string, { sig: FileSig; line: string }>();
  private readonly writeText: WriteText;
  private readonly now: () => number;
  private readonly maxLoadedShards: number;
  private readonly maxLoadedPromptShards: number;
  private closed = false;

  private constructor(
    /** The store folder (absolute). */
    readonly dir: string,
    private readonly options: StoreOptions,
    private readonly Low: typeof Lowdb.Low,
  ) {
    this.lock = new StoreLock(join(dir, '.lock'), { timeoutMs: options.lockTimeoutMs ?? 10_000, staleMs: options.staleLockMs ?? 30_000 });
    this.writeText = options.writeFile ? (file, text) => options.writeFile!(file, text) : writeFileAtomic;
    this.now = options.now ? () => options.now!() : Date.now;
    this.maxLoadedShards = Math.max(1, options.maxLoadedShards ?? 64);
    this.maxLoadedPromptShards = Math.max(1, options.maxLoadedPromptShards ?? 32);
  }

  /** Opens the store in `dir` (created on the first write). Reads no file. */
  static async open(dir: string, options: StoreOptions = {}): Promise<PromptStore> {
    const [lowdb] = await loadLowdb();
    return new PromptStore(resolve(dir), options, lowdb.Low);
  }

  // ---- answers: the cache, content-addressed by key -------------------------------

  /** The answer stored under `key`, if any. */
  async getAnswer(key: string): Promise<AnswerRecord | undefined> {
    return (await this.getAnswers([key])).get(key);
  }

  /** The stored answers among `keys` (missing keys are absent from the map). */
  getAnswers(keys: Iterable<string>): Promise<Map<string, AnswerRecord>> {
    return this.getSharded<AnswerRecord>('answers', keys);
  }

  /** Inserts or replaces the answer with `record.key`. */
  putAnswer(record: AnswerRecord): Promise<void> {
    return this.putAnswers([record]);
  }

  /**
   * Inserts or replaces answers: one write per touched shard. Not atomic across
   * shards: if one shard cannot be written the others may still be.
   */
  async putAnswers(records: AnswerRecord[]): Promise<void> {
    this.assertOpen();
    const byShard = new Map<string, { spec: FileSpec; rows: Row[] }>();
    const families = new Set<FamilyId>();
    for (const record of records) {
      assertFamily(record.family);
      const row = rowOf(answerKind, record);
      const spec = this.shardSpec('answers', row.id);
      if (!spec) throw new TypeError(`An answer key must start with two hex digits: ${JSON.stringify(row.id)}.`);
      const shard = byShard.get(spec.path) ?? { spec, rows: [] };
      shard.rows.push(row);
      byShard.set(spec.path, shard);
      families.add(record.family);
    }
    const writes = [...byShard.values()].map(({ spec, rows }) => this.enqueue(spec, (data) => upsertRows(data, rows)));
    const index = this.entryIfLoaded(this.familyIndexSpec());
    const newFamilies = [...families].filter((family) => !index?.db.data.rows.has(family));
    if (newFamilies.length > 0) {
      const rows = newFamilies.map((family) => rowOf(familyIndexKind, { family }));
      writes.push(this.enqueue(this.familyIndexSpec(), (data) => upsertRows(data, rows)));
    }
    await settleAll(writes);
  }

  // ---- prompts: rendered requests, content-addressed by hash -------------------------

  /** The stored prompts among `hashes` (AnswerRecord.promptHash; missing ones are absent from the map). */
  getPrompts(hashes: Iterable<string>): Promise<Map<string, PromptRecord>> {
    return this.getSharded<PromptRecord>('prompts', hashes);
  }

  /**
   * Stores prompts not stored yet: one write per shard that gains a prompt, none
   * when every hash is there already. A stored hash is left as it is (its prompt is
   * the same by construction; the first variant and input that rendered it stay);
   * of records sharing a hash in `records`, the first is kept. Messages must carry
   * no images (callers strip them). Not atomic across shards, like putAnswers.
   */
  async putPrompts(records: PromptRecord[]): Promise<void> {
    this.assertOpen();
    const byShard = new Map<string, { spec: FileSpec; rows: Row[] }>();
    for (const record of records) {
      assertFamily(record.family);
      const row = rowOf(promptKind, record);
      const spec = this.shardSpec('prompts', row.id);
      if (!spec) throw new TypeError(`A prompt hash must start with two hex digits: ${JSON.stringify(row.id)}.`);
      const shard = byShard.get(spec.path) ?? { spec, rows: [] };
      shard.rows.push(row);
      byShard.set(spec.path, shard);
    }
    await settleAll([...byShard.values()].map(({ spec, rows }) => this.enqueue(spec, (data) => insertNewRows(data, rows))));
  }

  // ---- runs: header + cells, one file per run ----------------------------------------

  /** Writes a run (header and all its cells), replacing an earlier version of it. */
  async saveRun(run: RunRecord, cells: CellRecord[]): Promise<void> {
    this.assertOpen();
    assertFamily(run.family);
    const head = rowOf(runKind, run);
    const rows = new Map(cells.map((cell) => [cell.cellId, rowOf(cellKind, cell)] as const));
    await this.enqueue(this.runSpec(run.family, head.id), (data) => {
      data.head = head;
      data.rows = rows;
      return true;
    });
  }

  /**
   * A run with its cells (by cellId), or undefined. A 'running' run whose process is
   * gone is reported 'interrupted' (see `reportedRun`); the file is not changed.
   */
  async getRun(family: FamilyId, runId: string): Promise<{ run: RunRecord; cells: CellRecord[] } | undefined> {
    assertFamily(family);
    const lines = await this.read(this.runSpec(family, runId), (rows, sig) =>
      rows.head ? { head: rows.head.line, cells: sortedRows(rows).map((row) => row.line), mtimeMs: sig?.mtimeMs } : undefined,
    );
    if (!lines) return undefined;
    return { run: reportedRun(JSON.parse(lines.head) as RunRecord, lines.mtimeMs), cells: lines.cells.map((line) => JSON.parse(line) as CellRecord) };
  }

  /** Run headers, newest first (reads each run file's first line only); states as `getRun` reports them. */
  async listRuns(family?: FamilyId): Promise<RunRecord[]> {
    const runsDir = join(this.dir, 'runs');
    let folders: string[];
    if (family !== undefined) {
      assertFamily(family);
      folders = [familyFileName(family)];
    } else {
      folders = await this.listNames(runsDir);
    }
    const paths: string[] = [];
    for (const folder of folders) {
      for (const name of await this.listNames(join(runsDir, folder))) if (isDataFile(name)) paths.push(join(runsDir, folder, name));
    }
    const runs: RunRecord[] = [];
    await forEachLimited(paths, 8, async (path) => {
      const run = await this.runHeader(path);
      if (run) runs.push(run);
    });
    return runs.sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
  }

  // ---- small, often-written records: one file per family ----------------------------

  /** The family's ratings, by createdAt then id. */
  ratings(family: FamilyId): Promise<RatingRecord[]> {
    return this.records<RatingRecord>('ratings', ratingKind, family);
  }

  /** Inserts or replaces the rating with `record.id`. */
  putRating(record: RatingRecord): Promise<void> {
    return this.putRecord('ratings', ratingKind, record);
  }

  /** Deletes a rating; false when there was none with that id. */
  async deleteRating(family: FamilyId, id: string): Promise<boolean> {
    this.assertOpen();
    assertFamily(family);
    let existed = false;
    await this.enqueue(this.recordSpec('ratings', ratingKind, family), (data) => {
      existed = data.rows.delete(id);
      return existed;
    });
    return existed;
  }

  /** The family's blind A/B verdicts, by createdAt then id. */
  pairs(family: FamilyId): Promise<PairRecord[]> {
    return this.records<PairRecord>('pairs', pairKind, family);
  }

  /** Inserts or replaces the verdict with `record.id`. */
  putPair(record: PairRecord): Promise<void> {
    return this.putRecord('pairs', pairKind, record);
  }

  /** The family's suggested rewrites, by createdAt then id. */
  suggestions(family: FamilyId): Promise<SuggestionRecord[]> {
    return this.records<SuggestionRecord>('suggestions', suggestionKind, family);
  }

  /** Inserts or replaces the suggestion with `record.id`. */
  putSuggestion(record: SuggestionRecord): Promise<void> {
    return this.putRecord('suggestions', suggestionKind, record);
  }

  /** Where the family's variants came from, by createdAt then variant. */
  lineage(family: FamilyId): Promise<LineageRecord[]> {
    return this.records<LineageRecord>('lineage', lineageKind, family);
  }

  /** Inserts or replaces the lineage of `record.variant`. */
  putLineage(record: LineageRecord): Promise<void> {
    return this.putRecord('lineage', lineageKind, record);
  }

  /** Families that have any stored record (answers count through `answers/families.jsonl`), sorted. */
  async families(): Promise<FamilyId[]> {
    const found = new Set<FamilyId>();
    const folders: [RecordFolder, RowKind][] = [['ratings', ratingKind], ['pairs', pairKind], ['suggestions', suggestionKind], ['lineage', lineageKind]];
    for (const [folder, kind] of folders) {
      const folderPath = join(this.dir, folder);
      for (const name of await this.listNames(folderPath)) {
        if (!isDataFile(name)) continue;
        const path = join(folderPath, name);
        const base = name.slice(0, -'.jsonl'.length);
        const family = familyFromFileName(base);
        if (family !== undefined) {
          // A file whose records were all deleted is empty and holds no record.
          if ((await this.statSig(path))?.size) found.add(family);
        } else if (isHashedFileName(base)) {
          const first = await this.read({ path, group: 'records', codec: { row: kind } }, (rows) => sortedRows(rows)[0]?.line);
          const named = first === undefined ? undefined : parseObject(first)?.family;
          if (typeof named === 'string' && named.length > 0) found.add(named);
        }
      }
    }
    const runsDir = join(this.dir, 'runs');
    for (const folder of await this.listNames(runsDir)) {
      const runFile = (await this.listNames(join(runsDir, folder))).find(isDataFile);
      if (runFile === undefined) continue;
      const family = familyFromFileName(folder) ?? (isHashedFileName(folder) ? (await this.runHeader(join(runsDir, folder, runFile)))?.family : undefined);
      if (family !== undefined) found.add(family);
    }
    for (const family of await this.read(this.familyIndexSpec(), (rows) => [...rows.rows.keys()])) found.add(family);
    return [...found].sort();
  }

  /** What is in memory now. */
  stats(): StoreStats {
    return {
      loadedAnswerShards: this.groups.answers.size,
      loadedPromptShards: this.groups.prompts.size,
      loadedRuns: this.groups.runs.size,
      loadedRecordFiles: this.groups.records.size,
      pendingWrites: this.queue.length,
    };
  }

  /** Waits for pending writes; later writes are refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await this.draining;
  }

  // ---- files -------------------------------------------------------------------------

  /** The shard of an answer key or prompt hash; undefined when it does not start with two hex digits. */
  private shardSpec(group: ShardGroup, id: string): FileSpec | undefined {
    const shard = typeof id === 'string' ? id.slice(0, 2).toLowerCase() : '';
    if (!shardPattern.test(shard)) return undefined;
    return { path: join(this.dir, group, `${shard}.jsonl`), group, codec: { row: group === 'answers' ? answerKind : promptKind } };
  }

  /** The stored records among `ids`, from their shards (read `readConcurrency` at a time). */
  private async getSharded<T>(group: ShardGroup, ids: Iterable<string>): Promise<Map<string, T>> {
    const idField = group === 'answers' ? answerKind.idField : promptKind.idField;
    const byShard = new Map<string, { spec: FileSpec; ids: string[] }>();
    for (const id of ids) {
      const spec = this.shardSpec(group, id);
      if (!spec) continue; // not a hex id: it cannot have been stored
      const shard = byShard.get(spec.path) ?? { spec, ids: [] };
      shard.ids.push(id);
      byShard.set(spec.path, shard);
    }
    const found = new Map<string, T>();
    await forEachLimited([...byShard.values()], readConcurrency, async ({ spec, ids: shardIds }) => {
      const lines = await this.read(spec, (rows) => shardIds.map((id) => rows.rows.get(id)?.line));
      let damaged = false;
      lines.forEach((line, index) => {
        if (line === undefined) return;
        const record = parseObject(line);
        if (record && record[idField] === shardIds[index]) found.set(shardIds[index], record as T);
        else damaged = true;
      });
      // A line read unparsed is damaged after all: check the whole shard and repair it; the record counts as missing.
      if (damaged) await this.enqueue(spec, () => false, true).catch(() => undefined);
    });
    return found;
  }

  private familyIndexSpec(): FileSpec {
    return { path: join(this.dir, 'answers', 'families.jsonl'), group: 'records', codec: { row: familyIndexKind } };
  }

  private recordSpec(folder: RecordFolder, kind: RowKind, family: FamilyId): FileSpec {
    return { path: join(this.dir, folder, `${familyFileName(family)}.jsonl`), group: 'records', codec: { row: kind } };
  }

  private runSpec(family: FamilyId, runId: string): FileSpec {
    return { path: join(this.dir, 'runs', familyFileName(family), `${familyFileName(runId)}.jsonl`), group: 'runs', codec: runFileCodec };
  }

  private async records<T>(folder: RecordFolder, kind: RowKind, family: FamilyId): Promise<T[]> {
    assertFamily(family);
    const lines = await this.read(this.recordSpec(folder, kind, family), (rows) => sortedRows(rows).map((row) => row.line));
    return lines.map((line) => JSON.parse(line) as T);
  }

  private async putRecord(folder: RecordFolder, kind: RowKind, record: { family: FamilyId }): Promise<void> {
    this.assertOpen();
    assertFamily(record.family);
    const row = rowOf(kind, record);
    await this.enqueue(this.recordSpec(folder, kind, record.family), (data) => upsertRows(data, [row]));
  }

  /** The header of one run file, from its first line (cached by file version), its state as reported. */
  private async runHeader(path: string): Promise<RunRecord | undefined> {
    const cached = this.runHeaders.get(path);
    const sig = cached && (await this.statSig(path));
    // Parsed per call: the caller owns the records it gets.
    if (cached && sameSig(sig, cached.sig)) return reportedRun(JSON.parse(cached.line) as RunRecord, cached.sig.mtimeMs);
    let first;
    try {
      first = await readFirstLine(path);
    } catch (error) {
      throw this.fail(readProblem(path, error), error);
    }
    if (!first) return undefined;
    const line = first.line.trim();
    const record = parseObject(line);
    if (record && !('cellId' in record) && runKind.id(record) !== undefined) {
      this.runHeaders.delete(path);
      this.runHeaders.set(path, { sig: first.sig, line });
      if (this.runHeaders.size > runHeadersLimit) this.runHeaders.delete(this.runHeaders.keys().next().value!);
      return reportedRun(record as unknown as RunRecord, first.sig.mtimeMs);
    }
    // The first line is not a header: read the whole file (a damaged one is repaired and reported).
    const head = await this.read({ path, group: 'runs', codec: runFileCodec }, (rows) => rows.head?.line);
    // The age of the file as found, not as repaired just now: a repair is not the run's writer.
    return head === undefined ? undefined : reportedRun(JSON.parse(head) as RunRecord, first.sig.mtimeMs);
  }

  /** The entry for a file, made on first use; marks it most recently used. */
  private entry(spec: FileSpec): Entry {
    const group = this.groups[spec.group];
    const existing = group.get(spec.path);
    if (existing) {
      group.delete(spec.path);
      group.set(spec.path, existing);
      return existing;
    }
    const adapter = new JsonlFile(spec.path, spec.codec, this.writeText);
    const entry: Entry = {
      ...spec,
      adapter,
      db: new this.Low<Rows>(adapter, { rows: new Map() }),
      loaded: false,
      sig: undefined,
      damaged: undefined,
      suspect: false,
      users: 0,
      tail: Promise.resolve(),
    };
    group.set(spec.path, entry);
    return entry;
  }

  private entryIfLoaded(spec: FileSpec): Entry | undefined {
    const entry = this.groups[spec.group].get(spec.path);
    return entry?.loaded ? entry : undefined;
  }

  /** Drops least recently used entries beyond the group's bound (never one in use). */
  private evict(groupName: Group): void {
    const limits: Record<Group, number> = { answers: this.maxLoadedShards, prompts: this.maxLoadedPromptShards, runs: loadedRunsLimit, records: Infinity };
    const limit = limits[groupName];
    const group = this.groups[groupName];
    for (const [path, entry] of group) {
      if (group.size <= limit) break;
      if (entry.users === 0) group.delete(path);
    }
  }

  /** Runs `fn` on the file's up-to-date view, serialized with other users of the file. */
  private async use<T>(spec: FileSpec, fn: (entry: Entry) => Promise<T>): Promise<T> {
    const entry = this.entry(spec);
    entry.users++;
    try {
      const run = entry.tail.then(() => fn(entry));
      entry.tail = run.catch(() => undefined);
      return await run;
    } finally {
      entry.users--;
      this.evict(spec.group);
    }
  }

  /**
   * Reads a file's view without the lock; a damaged file is repaired (under the lock)
   * after `extract` saw it with the signature of the version read (null: no file).
   */
  private async read<T>(spec: FileSpec, extract: (rows: Rows, sig: FileSig | null | undefined) => T): Promise<T> {
    const { value, damaged } = await this.use(spec, async (entry) => {
      await this.refresh(entry, false);
      return { value: extract(entry.db.data, entry.sig), damaged: entry.damaged !== undefined };
    });
    // The readable lines are served either way; a failed repair was reported already.
    if (damaged) await this.enqueue(spec, () => false).catch(() => undefined);
    return value;
  }

  /** Reads the file again if it changed on disk since this process last read or wrote it. */
  private async refresh(entry: Entry, locked: boolean): Promise<void> {
    if (!entry.loaded || (locked && entry.suspect) || !sameSig(await this.statSig(entry.path), entry.sig)) {
      entry.adapter.verifyNextRead = entry.suspect;
      entry.suspect = false;
      try {
        await entry.db.read();
      } catch (error) {
        entry.loaded = false;
        throw this.fail(readProblem(entry.path, error), error);
      }
      const last = entry.adapter.lastRead!;
      entry.loaded = true;
      entry.sig = last.sig;
      entry.damaged = last.parsed.bad > 0 ? { bad: last.parsed.bad, total: last.parsed.total } : undefined;
    }
    if (entry.damaged && locked) await this.repair(entry);
  }

  /** Under the lock: moves a damaged file aside and writes its readable lines back. */
  private async repair(entry: Entry): Promise<void> {
    const { bad, total } = entry.damaged!;
    const movedTo = await this.freeCorruptName(entry.path);
    try {
      await rename(entry.path, movedTo);
    } catch (error) {
      throw this.fail(writeProblem(entry.path, error), error);
    }
    entry.sig = null;
    // A run without its header cannot be used: it is only moved aside.
    const headerLost = entry.codec.head !== undefined && entry.db.data.head === undefined;
    if (!headerLost) {
      try {
        await this.writeEntry(entry);
      } catch (error) {
        // Put the original back rather than leave the folder without the file.
        await rename(movedTo, entry.path).catch(() => undefined);
        entry.sig = undefined;
        throw this.fail(writeProblem(entry.path, error), error);
      }
    }
    entry.damaged = undefined;
    this.report(corruptProblem(entry.path, bad, total, movedTo, headerLost));
  }

  private async freeCorruptName(path: string): Promise<string> {
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    for (let n = 1; ; n++) {
      const candidate = `${path}.corrupt-${stamp}${n > 1 ? `-${n}` : ''}`;
      if ((await this.statSig(candidate)) === null) return candidate;
    }
  }

  /** Writes the entry's view (lowdb's `write`) and records the version written. */
  private async writeEntry(entry: Entry): Promise<void> {
    const folder = dirname(entry.path);
    entry.sig = undefined; // unknown until the write is done
    await this.ensureDir(folder);
    try {
      await entry.db.write();
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      // The folder was removed behind our back: make it again, once.
      this.knownDirs.delete(folder);
      await this.ensureDir(folder);
      await entry.db.write();
    }
    entry.sig = await this.statSig(entry.path);
  }

  private async ensureDir(folder: string): Promise<void> {
    if (this.knownDirs.has(folder)) return;
    await mkdir(folder, { recursive: true });
    this.knownDirs.add(folder);
  }

  private async statSig(path: string): Promise<FileSig | null> {
    try {
      const info = await stat(path);
      return { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.fail(readProblem(path, error), error);
    }
  }

  /** Names in a folder (none when it does not exist). */
  private async listNames(folder: string): Promise<string[]> {
    try {
      return (await readdir(folder)).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw this.fail(readProblem(folder, error), error);
    }
  }

  // ---- the write queue ---------------------------------------------------------------

  private enqueue(spec: FileSpec, apply: (rows: Rows) => boolean, verify = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ spec, apply, verify, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Let callers that started together join one batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) await this.runBatch(this.takeBatch());
    this.draining = undefined;
  }

  /** The queued writes of the first `filesPerHold` files, in arrival order per file. */
  private takeBatch(): Map<string, WriteOp[]> {
    const batch = new Map<string, WriteOp[]>();
    const rest: WriteOp[] = [];
    for (const op of this.queue) {
      const ops = batch.get(op.spec.path);
      if (ops) ops.push(op);
      else if (batch.size < filesPerHold) batch.set(op.spec.path, [op]);
      else rest.push(op);
    }
    this.queue = rest;
    return batch;
  }

  /** One lock hold: each file refreshed if changed, modified, and written once. Never throws. */
  private async runBatch(batch: Map<string, WriteOp[]>): Promise<void> {
    const failures = new Map<WriteOp, unknown>();
    try {
      await this.lock.acquire();
    } catch (error) {
      const failure = this.lockFailure(error);
      for (const ops of batch.values()) for (const op of ops) op.reject(failure);
      return;
    }
    try {
      for (const ops of batch.values()) {
        try {
          await this.commit(ops[0].spec, ops);
        } catch (error) {
          for (const op of ops) failures.set(op, error);
        }
      }
    } finally {
      await this.lock.release().catch((error: unknown) => this.report(writeProblem(this.lock.file, error)));
    }
    for (const ops of batch.values()) {
      for (const op of ops) {
        if (failures.has(op)) op.reject(failures.get(op));
        else op.resolve();
      }
    }
  }

  /** Under the lock: refresh, apply every op to a copy, write once; the view changes only if the write succeeds. */
  private async commit(spec: FileSpec, ops: WriteOp[]): Promise<void> {
    await this.use(spec, async (entry) => {
      if (ops.some((op) => op.verify)) entry.suspect = true;
      await this.refresh(entry, true);
      const before = entry.db.data;
      const after = cloneRows(before);
      let changed = false;
      for (const op of ops) changed = op.apply(after) || changed;
      if (!changed) return;
      entry.db.data = after;
      try {
        await this.writeEntry(entry);
      } catch (error) {
        entry.db.data = before;
        entry.sig = undefined; // read the file again next time: it is the truth
        throw error instanceof StoreError ? error : this.fail(writeProblem(entry.path, error), error);
      }
    });
  }

  private lockFailure(error: unknown): StoreError {
    if (error instanceof LockTimeoutError) {
      return this.fail(
        {
          kind: 'locked',
          file: error.lockFile,
          message: `Prompt Loop could not save to ${this.dir}: it is locked by ${describeHolder(error.holder)}, and stayed locked for ${Math.round(error.waitedMs / 100) / 10} s. Another VS Code window or the CLI may be busy writing; if no other Prompt Loop is running, delete ${error.lockFile}.`,
        },
        error,
      );
    }
    return this.fail(writeProblem(this.lock.file, error), error);
  }

  private fail(problem: StoreProblem, cause: unknown): StoreError {
    this.report(problem);
    return new StoreError(problem, { cause });
  }

  private report(problem: StoreProblem): void {
    try {
      this.options.onProblem?.(problem);
    } catch {
      // A listener's failure must not turn into a store failure.
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`The store at ${this.dir} is closed.`);
  }
}

function assertFamily(family: unknown): asserts family is FamilyId {
  if (typeof family !== 'string' || family.length === 0) throw new TypeError('A record needs a non-empty family id.');
}

/** Inserts or replaces rows by id; false when every line was already there as is. */
function upsertRows(data: Rows, rows: Row[]): boolean {
  let changed = false;
  for (const row of rows) {
    if (data.rows.get(row.id)?.line === row.line) continue;
    data.rows.set(row.id, row);
    changed = true;
  }
  return changed;
}

/** Inserts the rows whose id is not there yet (write-once records); false when none was new. */
function insertNewRows(data: Rows, rows: Row[]): boolean {
  let changed = false;
  for (const row of rows) {
    if (data.rows.has(row.id)) continue;
    data.rows.set(row.id, row);
    changed = true;
  }
  return changed;
}

/** A store data file (not a temp file, a moved-aside damaged file or a foreign file). */
function isDataFile(name: string): boolean {
  return name.endsWith('.jsonl') && !name.startsWith('.');
}

/** Waits for all; then rejects with the first failure, if any. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
