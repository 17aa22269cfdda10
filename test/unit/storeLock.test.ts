import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromptStore, StoreError } from '../../src/core/store/promptStore';
import { parseRows, ratingKind } from '../../src/core/store/jsonl';
import type { StoreProblem } from '../../src/core/store/records';
import { answerRecord, hexKey, ratingRecord } from './fixtures/store/records';
import { startWriter } from './fixtures/store/startWriter';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'prompt-loop-lock-'));
}

async function writeLock(dir: string, holder: { pid: number; createdAt: number }, ageMs = 0): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, '.lock');
  await writeFile(file, JSON.stringify({ ...holder, hostname: hostname(), token: 'someone-else' }));
  if (ageMs > 0) await utimes(file, (Date.now() - ageMs) / 1000, (Date.now() - ageMs) / 1000);
  return file;
}

/** Every data file in the store parses completely; returns how many lines each has. */
async function assertEveryFileParses(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.jsonl')) {
        const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.length > 0);
        for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `${path}: ${line.slice(0, 80)}`);
        counts.set(path.slice(dir.length + 1), lines.length);
      }
    }
  };
  await walk(dir);
  return counts;
}

test('a held lock is waited for, then the write fails with a locked problem naming the holder', async () => {
  const dir = await tempDir();
  try {
    const lock = await writeLock(dir, { pid: process.pid, createdAt: Date.now() });
    const problems: StoreProblem[] = [];
    const store = await PromptStore.open(dir, { lockTimeoutMs: 150, onProblem: (problem) => problems.push(problem) });
    const error = await store.putRating(ratingRecord('r1')).catch((reason: unknown) => reason);
    assert.ok(error instanceof StoreError);
    assert.equal(error.problem.kind, 'locked');
    assert.equal(error.problem.file, lock);
    assert.ok(error.problem.message.includes(`process ${process.pid} on ${hostname()}`), error.problem.message);
    assert.ok(error.problem.message.includes(lock));
    assert.deepEqual(problems, [error.problem]);
    assert.match(await readFile(lock, 'utf8'), /someone-else/); // not broken: its holder is alive and recent
    assert.deepEqual(await store.ratings('summarize'), []);
    await rm(lock);
    await store.putRating(ratingRecord('r1'));
    assert.equal((await store.ratings('summarize')).length, 1);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a lock held briefly is waited for', async () => {
  const dir = await tempDir();
  try {
    const lock = await writeLock(dir, { pid: process.pid, createdAt: Date.now() });
    const store = await PromptStore.open(dir);
    const released = new Promise((done) => setTimeout(done, 120)).then(() => rm(lock));
    await store.putRating(ratingRecord('r1'));
    await released;
    assert.equal((await store.ratings('summarize')).length, 1);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a stale lock is broken: its process is dead, or it is too old, or unreadable and old', async () => {
  const dead = spawn(process.execPath, ['-e', '']);
  await once(dead, 'exit');
  const cases: [string, (dir: string) => Promise<string>][] = [
    ['dead process', (dir) => writeLock(dir, { pid: dead.pid!, createdAt: Date.now() })],
    ['older than 30 s', (dir) => writeLock(dir, { pid: process.pid, createdAt: Date.now() - 60_000 }, 60_000)],
    [
      'empty and old',
      async (dir) => {
        await writeFile(join(dir, '.lock'), '');
        await utimes(join(dir, '.lock'), (Date.now() - 60_000) / 1000, (Date.now() - 60_000) / 1000);
        return join(dir, '.lock');
      },
    ],
  ];
  for (const [what, makeLock] of cases) {
    const dir = await tempDir();
    try {
      const lock = await makeLock(dir);
      const store = await PromptStore.open(dir, { lockTimeoutMs: 2_000 });
      await store.putRating(ratingRecord('r1'));
      assert.equal((await store.ratings('summarize')).length, 1, what);
      assert.equal(existsSync(lock), false, what);
      assert.deepEqual((await readdir(dir)).filter((name) => name.startsWith('.lock')), [], what);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});

test('an empty, recent lock file (its writer is mid-creation) is not broken', async () => {
  const dir = await tempDir();
  try {
    await writeFile(join(dir, '.lock'), '');
    const store = await PromptStore.open(dir, { lockTimeoutMs: 100 });
    const error = await store.putRating(ratingRecord('r1')).catch((reason: unknown) => reason);
    assert.ok(error instanceof StoreError && error.problem.kind === 'locked');
    assert.match(error.problem.message, /unknown process/);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('two other processes and this one write ratings and answers at once: no update lost', async () => {
  const dir = await tempDir();
  const count = 60;
  try {
    const writers = [1, 2].map((index) => startWriter(['concurrent', dir, `child${index}`, String(index), String(count)]));
    await Promise.all(writers.map((writer) => writer.waitFor(/ready/)));
    for (const writer of writers) writer.child.stdin.write('go\n');
    const store = await PromptStore.open(dir);
    for (let i = 0; i < count; i++) {
      await store.putRating(ratingRecord(`parent-${i}`, { createdAt: i }));
      await store.putAnswer(answerRecord(hexKey(i % 2 === 0 ? 'aa' : 'ab', i), { text: `parent ${i}` }));
    }
    for (const writer of writers) assert.deepEqual(await writer.exited, [0, null], writer.stderr());
    for (const writer of writers) assert.equal(writer.stderr(), '');

    const counts = await assertEveryFileParses(dir);
    assert.equal(counts.get(join('ratings', 'summarize.jsonl')), 3 * count);
    assert.equal((counts.get(join('answers', 'aa.jsonl')) ?? 0) + (counts.get(join('answers', 'ab.jsonl')) ?? 0), 3 * count);
    // This process's view caught up with the others' writes, as does a fresh one.
    assert.equal((await store.ratings('summarize')).length, 3 * count);
    await store.close();
    const fresh = await PromptStore.open(dir);
    const ids = new Set((await fresh.ratings('summarize')).map((rating) => rating.id));
    for (const name of ['parent', 'child1', 'child2']) for (let i = 0; i < count; i++) assert.ok(ids.has(`${name}-${i}`), `${name}-${i}`);
    const keys = [0, 1, 2].flatMap((index) => Array.from({ length: count }, (_, i) => hexKey(i % 2 === 0 ? 'aa' : 'ab', index * 0x100000 + i)));
    assert.equal((await fresh.getAnswers(keys)).size, 3 * count);
    assert.equal(existsSync(join(dir, '.lock')), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a process killed mid-write leaves the old file, never half of the new one', async () => {
  const dir = await tempDir();
  try {
    // A ~4.5 MB ratings file: its rewrite takes several chunks, so the kill lands inside one.
    const seed = await PromptStore.open(dir);
    const comment = 'a long comment about the answer; '.repeat(30);
    await Promise.all(Array.from({ length: 4_000 }, (_, i) => seed.putRating(ratingRecord(`seed-${i}`, { createdAt: i, comment }))));
    await seed.close();
    const file = join(dir, 'ratings', 'summarize.jsonl');
    const temp = join(dir, 'ratings', '.summarize.jsonl.tmp');
    let expected = 4_000;
    for (const crashAt of [1, 3]) {
      const writer = startWriter(['crash', dir, `crash${crashAt}`, String(crashAt)]);
      assert.deepEqual(await writer.exited, [null, 'SIGKILL'], writer.stderr());
      expected += crashAt - 1; // the writes before the crashing one landed
      const parsed = parseRows(await readFile(file, 'utf8'), { row: ratingKind }, true);
      assert.equal(parsed.bad, 0, 'no damaged line');
      assert.equal(parsed.total, expected);
      assert.ok(!parsed.rows.rows.has(`crash${crashAt}-${crashAt - 1}`), 'the interrupted write did not land');
      // It was killed mid-write: the new content was only partly in the temp file.
      const tempSize = (await readFile(temp)).length;
      assert.ok(tempSize > 0 && tempSize < (await readFile(file)).length, `a partial temp file (${tempSize} bytes) was left`);
    }
    // The killed writer's lock is stale (its process is dead); the temp file is ignored.
    const problems: StoreProblem[] = [];
    const store = await PromptStore.open(dir, { lockTimeoutMs: 2_000, onProblem: (problem) => problems.push(problem) });
    await store.putRating(ratingRecord('after'));
    assert.equal((await store.ratings('summarize')).length, expected + 1);
    assert.deepEqual(await store.families(), ['summarize']);
    assert.equal(problems.length, 0);
    assert.equal(existsSync(temp), false);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
