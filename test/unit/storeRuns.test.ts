import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PromptStore, ownerInfo } from '../../src/core/store/promptStore';
import type { RunOwner, RunRecord } from '../../src/core/store/records';
import { cellRecord, runRecord } from './fixtures/store/records';
import { tempDir, withStore } from './fixtures/store/withStore';
import { startWriter } from './fixtures/store/startWriter';


/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

/** A file's bytes and version, to check that reading did not rewrite it. */
async function snapshot(file: string): Promise<{ text: string; mtimeMs: number; ino: number }> {
  const info = await stat(file);
  return { text: await readFile(file, 'utf8'), mtimeMs: info.mtimeMs, ino: info.ino };
}

async function setAge(file: string, ageMs: number): Promise<void> {
  const when = (Date.now() - ageMs) / 1000;
  await utimes(file, when, when);
}

/** The state getRun and listRuns (twice: from the file, then from the header cache) report, all equal. */
async function reportedState(store: PromptStore, runId: string): Promise<RunRecord['state']> {
  const viaGet = (await store.getRun('summarize', runId))?.run.state;
  const listed = (await store.listRuns('summarize')).find((run) => run.runId === runId)?.state;
  const listedAgain = (await store.listRuns()).find((run) => run.runId === runId)?.state;
  assert.equal(listed, viaGet, `${runId}: listRuns agrees with getRun`);
  assert.equal(listedAgain, viaGet, `${runId}: a cached header gives the same`);
  return viaGet!;
}

test('ownerInfo(): this process, with os.hostname(), the same on every call, a copy', () => {
  const owner = ownerInfo();
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.host, hostname());
  assert.ok(Number.isInteger(owner.startedAt) && owner.startedAt <= Date.now() && owner.startedAt > Date.now() - process.uptime() * 1000 - 5_000, String(owner.startedAt));
  assert.deepEqual(ownerInfo(), owner);
  owner.pid = 1;
  assert.equal(ownerInfo().pid, process.pid);
});

test('the owner is stored in the run header, after the state', async () => {
  await withStore(async (store, dir) => {
    const owner: RunOwner = { pid: 4242, host: 'build-box', startedAt: 123 };
    await store.saveRun(runRecord('run1', { state: 'running', owner }), [cellRecord('c1')]);
    const [head] = (await readFile(join(dir, 'runs/summarize/run1.jsonl'), 'utf8')).split('\n');
    assert.match(head, /"state":"running","owner":\{"host":"build-box","pid":4242,"startedAt":123\},"variants":/);
    assert.deepEqual((await store.getRun('summarize', 'run1'))?.run.owner, owner);
    assert.deepEqual((await store.listRuns())[0].owner, owner);
  });
});

test("a 'running' run is reported 'interrupted' when its owner on this host is dead; the file is not rewritten", async () => {
  const dead = await deadPid();
  await withStore(async (store, dir, problems) => {
    const cases: [string, Partial<RunRecord>, RunRecord['state']][] = [
      ['dead owner here', { state: 'running', owner: { pid: dead, host: hostname(), startedAt: 1 } }, 'interrupted'],
      ['this process', { state: 'running', owner: ownerInfo() }, 'running'],
      ['a live process here', { state: 'running', owner: { pid: process.ppid, host: hostname(), startedAt: 1 } }, 'running'],
      ['dead pid on another host', { state: 'running', owner: { pid: dead, host: `not-${hostname()}`, startedAt: 1 } }, 'running'],
      // This pid, but an earlier process: it died and the pid was given to this one.
      ['this pid, earlier process', { state: 'running', owner: { ...ownerInfo(), startedAt: ownerInfo().startedAt - 60_000 } }, 'interrupted'],
      ['finished, dead owner', { state: 'finished', owner: { pid: dead, host: hostname(), startedAt: 1 } }, 'finished'],
      ['cancelled, dead owner', { state: 'cancelled', owner: { pid: dead, host: hostname(), startedAt: 1 } }, 'cancelled'],
      ['no owner, fresh file', { state: 'running' }, 'running'],
    ];
    for (const [runId, overrides] of cases) await store.saveRun(runRecord(runId, overrides), [cellRecord('c1', { status: 'running' })]);
    const before = await Promise.all(cases.map(([runId]) => store.getRun('summarize', runId)));
    for (const [runId, , expected] of cases) assert.equal(await reportedState(store, runId), expected, runId);
    // The reported run keeps its owner and cells; a fresh store reports the same.
    const interrupted = await store.getRun('summarize', 'dead owner here');
    assert.deepEqual(interrupted?.run, { ...before[0]!.run, state: 'interrupted' });
    assert.deepEqual(interrupted?.cells, before[0]!.cells);
    const fresh = await PromptStore.open(dir);
    for (const [runId, , expected] of cases) assert.equal(await reportedState(fresh, runId), expected, `${runId} (fresh store)`);
    await fresh.close();
    assert.deepEqual(problems, []);
  });
});

test('reading never rewrites a run file it reports interrupted', async () => {
  const dead = await deadPid();
  await withStore(async (store, dir) => {
    await store.saveRun(runRecord('run1', { state: 'running', owner: { pid: dead, host: hostname(), startedAt: 1 } }), [cellRecord('c1', { status: 'running' })]);
    await store.saveRun(runRecord('run2', { state: 'running' }), [cellRecord('c1', { status: 'running' })]);
    const file1 = join(dir, 'runs/summarize/run1.jsonl');
    const file2 = join(dir, 'runs/summarize/run2.jsonl');
    await setAge(file2, 11 * 60_000);
    const before = [await snapshot(file1), await snapshot(file2)];
    assert.equal(await reportedState(store, 'run1'), 'interrupted');
    assert.equal(await reportedState(store, 'run2'), 'interrupted');
    assert.deepEqual([await snapshot(file1), await snapshot(file2)], before);
    assert.match(before[0].text, /"state":"running"/);
  });
});

test('a run without an owner is interrupted once its file was not written for 10 minutes', async () => {
  await withStore(async (store, dir) => {
    await store.saveRun(runRecord('legacy', { state: 'running' }), []);
    await store.saveRun(runRecord('garbled', { state: 'running', owner: { pid: 'x' } as unknown as RunOwner }), []);
    for (const runId of ['legacy', 'garbled']) {
      const file = join(dir, 'runs/summarize', `${runId}.jsonl`);
      await setAge(file, 9 * 60_000);
      assert.equal(await reportedState(store, runId), 'running', `${runId} at 9 minutes`);
      await setAge(file, 11 * 60_000);
      assert.equal(await reportedState(store, runId), 'interrupted', `${runId} at 11 minutes`);
      // Written again (the run goes on): running again.
      await store.saveRun(runRecord(runId, { state: 'running' }), [cellRecord('c1')]);
      assert.equal(await reportedState(store, runId), 'running', `${runId} rewritten`);
    }
    // A header only readable by reading the whole file (its first line is damaged) is judged too.
    const file = join(dir, 'runs/summarize/legacy.jsonl');
    await writeFile(file, `not json\n${JSON.stringify(runRecord('legacy', { state: 'running' }))}\n`);
    await setAge(file, 11 * 60_000);
    assert.equal((await store.listRuns('summarize')).find((run) => run.runId === 'legacy')?.state, 'interrupted');
  });
});

test('a run whose owner process is killed is reported running, then interrupted', async () => {
  const dir = await tempDir();
  const writer = startWriter(['run', dir, 'sweep1']);
  try {
    await writer.waitFor(/saved/);
    const store = await PromptStore.open(dir);
    const [running] = await store.listRuns();
    assert.equal(running.state, 'running');
    assert.equal(running.owner?.pid, writer.child.pid);
    assert.equal(running.owner?.host, hostname());
    assert.ok(running.owner.startedAt <= Date.now());
    writer.child.kill('SIGKILL');
    assert.deepEqual(await writer.exited, [null, 'SIGKILL']);
    assert.equal((await store.listRuns())[0].state, 'interrupted');
    assert.equal((await store.getRun('summarize', 'sweep1'))?.run.state, 'interrupted');
    assert.match(await readFile(join(dir, 'runs/summarize/sweep1.jsonl'), 'utf8'), /"state":"running"/);
    await store.close();
  } finally {
    writer.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
