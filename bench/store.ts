/**
 * Benchmark of the workspace store at the size of a long-used workspace: 100,000
 * answers (600–1500 characters of text each), 100 runs of 1,000 cells, 3,000
 * ratings. Fills a temp store through the batch API, then measures with a new
 * PromptStore on the same folder, as a freshly started window would.
 *
 *   node --import tsx bench/store.ts [answers]
 *
 * Targets: open (open + listRuns() + ratings() of one family) ≤ 300 ms; p95 of
 * adding one answer or one rating ≤ 20 ms.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PromptStore } from '../src/core/store/promptStore';
import type { AnswerRecord, CellRecord, RatingRecord, RunRecord } from '../src/core/store/records';

/** Milliseconds: median, 95th percentile and worst of the samples. */
export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

/** One measure as the project's benchmark table (`bench/run.ts`) shows it. */
export interface StoreBenchRow {
  measure: string;
  value: number;
  unit: string;
  target?: { op: '<=' | '>='; value: number };
  note?: string;
}

/** What `benchStore` measured; `rows` are the same numbers as table rows. */
export interface StoreBenchResult {
  answers: number;
  runs: number;
  cellsPerRun: number;
  ratings: number;
  /** Filling the store (not part of the targets). */
  fillMs: number;
  /** open + listRuns() + ratings() of one family, on a new PromptStore. */
  openMs: number;
  addAnswerMs: Percentiles;
  addRatingMs: Percentiles;
  /** getAnswers of 1,000 stored keys: first (shards read from disk), then again. */
  lookup1000FirstMs: number;
  lookup1000AgainMs: number;
  /** What the measuring store held afterwards. */
  loadedAnswerShards: number;
  heapUsedMb: number;
  files: number;
  totalBytes: number;
  largestFile: { path: string; bytes: number };
  rows: StoreBenchRow[];
}

const families = ['summarize', 'prompts/classify', 'prompts/extract', 'support/reply', 'translate'];
const models = ['llama3.2', 'qwen2.5:7b', 'mistral', 'gemma2:9b'];
const words = (
  'the a model answer summary customer invoice report quarterly revenue growth because however therefore ' +
  'risk table shows increase decrease compared previous year team should consider following steps first second ' +
  'finally data prompt output format concise detailed example clear list item bullet note warning result'
).split(' ');

/** Fills a temp store (or `dir`) and measures it; removes a temp store afterwards. */
export async function benchStore(opts: { answers?: number; dir?: string } = {}): Promise<StoreBenchResult> {
  const answerCount = opts.answers ?? 100_000;
  const runCount = 100;
  const cellsPerRun = 1_000;
  const ratingCount = 3_000;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'prompt-loop-bench-')));
  try {
    const fillStarted = performance.now();
    const keys = await fill(dir, answerCount, runCount, cellsPerRun, ratingCount);
    const fillMs = performance.now() - fillStarted;

    const openStarted = performance.now();
    const store = await PromptStore.open(dir);
    await store.listRuns();
    await store.ratings(families[0]);
    const openMs = performance.now() - openStarted;

    const addAnswerMs = await sample(200, (i) => store.putAnswer(answer(randomKey(), families[i % families.length], i)));
    const addRatingMs = await sample(200, (i) => store.putRating(rating(`bench-${i}`, families[0], pick(keys))));

    const wanted = Array.from({ length: 1_000 }, () => pick(keys));
    let started = performance.now();
    const first = await store.getAnswers(wanted);
    const lookup1000FirstMs = performance.now() - started;
    started = performance.now();
    await store.getAnswers(wanted);
    const lookup1000AgainMs = performance.now() - started;
    if (first.size !== new Set(wanted).size) throw new Error(`lookup found ${first.size} of ${new Set(wanted).size} answers`);

    const { loadedAnswerShards } = store.stats();
    await store.close();
    const sizes = await fileSizes(dir);
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a), { path: '', bytes: 0 });
    const result: Omit<StoreBenchResult, 'rows'> = {
      answers: answerCount,
      runs: runCount,
      cellsPerRun,
      ratings: ratingCount,
      fillMs,
      openMs,
      addAnswerMs,
      addRatingMs,
      lookup1000FirstMs,
      lookup1000AgainMs,
      loadedAnswerShards,
      heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20,
      files: sizes.length,
      totalBytes: sizes.reduce((sum, file) => sum + file.bytes, 0),
      largestFile: { path: largest.path.slice(dir.length + 1), bytes: largest.bytes },
    };
    return { ...result, rows: benchRows(result) };
  } finally {
    if (opts.dir === undefined) await rm(dir, { recursive: true, force: true });
  }
}

function benchRows(result: Omit<StoreBenchResult, 'rows'>): StoreBenchRow[] {
  const size = `${result.answers.toLocaleString('en')} answers, ${result.runs} runs × ${result.cellsPerRun.toLocaleString('en')} cells, ${result.ratings.toLocaleString('en')} ratings`;
  const spread = (p: Percentiles): string => `p50 ${p.p50.toFixed(1)} ms, max ${p.max.toFixed(1)} ms`;
  return [
    { measure: `open: open + listRuns() + ratings() of one family (${size})`, value: result.openMs, unit: 'ms', target: { op: '<=', value: 300 } },
    { measure: 'add one answer (putAnswer, new key), p95 of 200', value: result.addAnswerMs.p95, unit: 'ms', target: { op: '<=', value: 20 }, note: spread(result.addAnswerMs) },
    { measure: 'add one rating (putRating), p95 of 200', value: result.addRatingMs.p95, unit: 'ms', target: { op: '<=', value: 20 }, note: spread(result.addRatingMs) },
    { measure: 'getAnswers of 1,000 stored keys (shards read from disk)', value: result.lookup1000FirstMs, unit: 'ms', note: `again: ${result.lookup1000AgainMs.toFixed(0)} ms; ${result.loadedAnswerShards} shards kept in memory` },
    { measure: 'store size on disk', value: result.totalBytes / 2 ** 20, unit: 'MiB', note: `${result.files} files; largest ${result.largestFile.path} ${(result.largestFile.bytes / 2 ** 20).toFixed(2)} MiB; filled in ${(result.fillMs / 1000).toFixed(1)} s` },
  ];
}

/** Writes the answers shard range by shard range, so each shard is written once. */
async function fill(dir: string, answerCount: number, runCount: number, cellsPerRun: number, ratingCount: number): Promise<string[]> {
  const store = await PromptStore.open(dir);
  const keys: string[] = [];
  const rounds = 8;
  for (let round = 0; round < rounds; round++) {
    const batch: AnswerRecord[] = [];
    const count = Math.floor(answerCount / rounds) + (round < answerCount % rounds ? 1 : 0);
    for (let i = 0; i < count; i++) {
      const shard = round * (256 / rounds) + Math.floor(Math.random() * (256 / rounds));
      const key = shard.toString(16).padStart(2, '0') + randomKey().slice(2);
      keys.push(key);
      batch.push(answer(key, families[i % families.length], i));
    }
    await store.putAnswers(batch);
  }
  for (let r = 0; r < runCount; r++) {
    const family = families[r % families.length];
    const runId = `run-${String(r).padStart(3, '0')}`;
    const run: RunRecord = {
      runId,
      kind: 'sweep',
      family,
      createdAt: Date.UTC(2025, 0, 1) + r * 60_000,
      finishedAt: Date.UTC(2025, 0, 1) + r * 60_000 + 30_000,
      state: 'finished',
      variants: ['', 'concise', 'steps'],
      models: models.slice(0, 2),
      cases: Array.from({ length: 10 }, (_, index) => ({ index, caseKey: randomKey().slice(0, 16), label: `case ${index + 1}`, input: { article: text(200) } })),
      params: [{ temperature: 0.2 }, { temperature: 0.8 }],
      repeats: 1,
    };
    const cells: CellRecord[] = Array.from({ length: cellsPerRun }, (_, i) => ({
      cellId: `${i % 3}:${i % 2}:${i % 10}:${Math.floor(i / 60)}:${i}`,
      variant: run.variants[i % 3],
      model: run.models[i % 2],
      caseIndex: i % 10,
      paramsIndex: i % 2,
      repeat: 0,
      status: 'done',
      answerKey: keys[(r * cellsPerRun + i) % keys.length],
      attempts: 1,
    }));
    await store.saveRun(run, cells);
  }
  // Concurrent puts of one family join into few writes (the store batches them).
  await Promise.all(Array.from({ length: ratingCount }, (_, i) => store.putRating(rating(`r-${i}`, families[i % families.length], keys[i % keys.length]))));
  await store.close();
  return keys;
}

function answer(key: string, family: string, i: number): AnswerRecord {
  return {
    key,
    family,
    variant: ['', 'concise', 'steps'][i % 3],
    model: models[i % models.length],
    modelDigest: 'sha256:' + 'ab'.repeat(32),
    host: 'http://127.0.0.1:11434',
    caseKey: key.slice(8, 24),
    params: { temperature: 0.7, seed: i % 5 },
    repeat: i % 2,
    promptHash: key.slice(0, 32),
    status: 'done',
    text: text(600 + Math.floor(Math.random() * 900)),
    metrics: { ttftMs: 180, tokensPerSecond: 41.5, promptTokens: 412, answerTokens: 230, totalMs: 5_900, doneReason: 'stop' },
    createdAt: Date.UTC(2025, 0, 1) + i,
  };
}

function rating(id: string, family: string, answerKey: string): RatingRecord {
  const now = Date.now();
  return { id, answerKey, family, variant: 'concise', model: models[0], caseKey: answerKey.slice(8, 24), score: 1 + (id.length % 5), comment: 'Too long; misses the second risk.', tags: ['length'], createdAt: now, updatedAt: now };
}

function text(length: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < length) {
    const word = pick(words);
    parts.push(word);
    size += word.length + 1;
    if (parts.length % 17 === 0) parts.push('\n\n- **Note**: "quoted"');
  }
  return parts.join(' ').slice(0, length);
}

function randomKey(): string {
  return randomBytes(32).toString('hex');
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

async function sample(count: number, fn: (i: number) => Promise<void>): Promise<Percentiles> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(count * 0.5)], p95: times[Math.floor(count * 0.95)], max: times[count - 1] };
}

async function fileSizes(dir: string): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await fileSizes(path)));
    else out.push({ path, bytes: (await stat(path)).size });
  }
  return out;
}

function printTable(result: Omit<StoreBenchResult, 'rows'>): void {
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const rows: [string, string, string][] = [
    ['store', `${result.answers} answers, ${result.runs} runs × ${result.cellsPerRun} cells, ${result.ratings} ratings`, ''],
    ['fill', ms(result.fillMs), ''],
    ['open + listRuns + ratings', ms(result.openMs), '≤ 300 ms'],
    ['add answer p50 / p95 / max', `${ms(result.addAnswerMs.p50)} / ${ms(result.addAnswerMs.p95)} / ${ms(result.addAnswerMs.max)}`, 'p95 ≤ 20 ms'],
    ['add rating p50 / p95 / max', `${ms(result.addRatingMs.p50)} / ${ms(result.addRatingMs.p95)} / ${ms(result.addRatingMs.max)}`, 'p95 ≤ 20 ms'],
    ['getAnswers(1,000 keys) first', ms(result.lookup1000FirstMs), ''],
    ['getAnswers(1,000 keys) again', ms(result.lookup1000AgainMs), ''],
    ['answer shards in memory', String(result.loadedAnswerShards), ''],
    ['heap used (incl. the bench\'s own data)', `${result.heapUsedMb.toFixed(0)} MiB`, ''],
    ['files / total', `${result.files} / ${mb(result.totalBytes)}`, ''],
    ['largest file', `${result.largestFile.path} ${mb(result.largestFile.bytes)}`, ''],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value}${target ? `   (target ${target})` : ''}`);
}

if (require.main === module) {
  const answers = process.argv[2] ? Number(process.argv[2]) : undefined;
  benchStore({ answers }).then(printTable, (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
