/**
 * Nothing lost on a crash: a process running a sweep and rating its answers is
 * killed with SIGKILL at many points. Each time, the store opens without a
 * corrupt file, every answer and rating the process reported as written is
 * there, the run reads back as interrupted, and the sweep resumes: the stored
 * cells come from the cache and only the rest are requested.
 */
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ollama } from 'ollama';
import { listModels } from '../../src/core/ollamaClient';
import { PromptStore } from '../../src/core/store/promptStore';
import type { StoreProblem } from '../../src/core/store/records';
import { SweepRun } from '../../src/core/sweep/runner';
import { startSimulator } from '../../tools/simulator/server';
import type { RunningSimulator } from '../../tools/simulator/server';
import { crashPlan } from './fixtures/crashPlan';

const repoRoot = resolve(__dirname, '../..');
const worker = join(__dirname, 'fixtures', 'crashWorker.ts');
/** Where to kill, in ms after the worker's first stored answer (0 = right at it). */
const killPoints = [0, 5, 15, 30, 50, 80, 120, 170, 230, 300, 380, 470];

let sim: RunningSimulator;
before(async () => {
  sim = await startSimulator({ port: 0, timeScale: 0.01, parallel: 2 });
});
after(() => sim.close());

test(`SIGKILL mid-sweep at ${killPoints.length} points: written answers and ratings survive, the sweep resumes`, async () => {
  const plan = await crashPlan();
  let killedBeforeTheEnd = 0;
  for (const delay of killPoints) {
    const dir = await mkdtemp(join(tmpdir(), 'prompt-loop-crash-'));
    try {
      await sim.reset();
      const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, sim.url], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
      const exited = once(child, 'exit');
      await new Promise<void>((resolveFirst, reject) => {
        child.stdout.setEncoding('utf8').on('data', (t: string) => {
          out += t;
          if (out.includes('STORED ')) resolveFirst();
        });
        void exited.then(() => reject(new Error(`the worker ended before storing anything: ${err}`)));
      });
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      if (!out.includes('FINISHED')) killedBeforeTheEnd++;

      const stored = [...out.matchAll(/^STORED (\w+)$/gm)].map((m) => m[1]);
      const rated = [...out.matchAll(/^RATED (\w+)$/gm)].map((m) => m[1]);
      const problems: StoreProblem[] = [];
      const store = await PromptStore.open(dir, { onProblem: (p) => problems.push(p) });
      const answers = await store.getAnswers(stored);
      assert.equal(answers.size, stored.length, `at ${delay} ms: every answer reported stored is there`);
      assert.ok([...answers.values()].every((a) => a.status === 'done' && a.text.length > 0));
      const ratings = await store.ratings(plan.family);
      for (const key of rated) assert.ok(ratings.some((r) => r.answerKey === key), `at ${delay} ms: the rating of ${key} survived`);
      const [run] = await store.listRuns(plan.family);
      if (!out.includes('FINISHED')) assert.equal(run?.state, 'interrupted', `at ${delay} ms: a killed sweep reads back as interrupted`);

      // Resume: the same sweep again, in this process.
      const client = new Ollama({ host: sim.url });
      const models = await listModels(client);
      const before = sim.stats.requests.byEndpoint['/api/chat'] ?? 0;
      const resumed = await new SweepRun({
        plan,
        hosts: [{ url: sim.url, client, slots: 2, models: models.map((m) => m.name) }],
        digests: new Map(models.map((m) => [m.name.replace(/:latest$/, ''), m.digest] as const)),
        store,
        idleTimeoutMs: 30_000,
      }).start();
      await store.close();
      assert.equal(resumed.progress.done, plan.cells.length, `at ${delay} ms: the resumed sweep finishes`);
      assert.ok(resumed.cached >= stored.length, `at ${delay} ms: ${resumed.cached} cached ≥ ${stored.length} stored`);
      assert.equal((sim.stats.requests.byEndpoint['/api/chat'] ?? 0) - before, plan.cells.length - resumed.cached, 'only the rest is requested');
      assert.deepEqual(problems.filter((p) => p.kind === 'corrupt'), [], `at ${delay} ms: no corrupt file`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  console.log(`crash test: killed at ${killPoints.length} points, ${killedBeforeTheEnd} of them before the sweep finished`);
  assert.ok(killedBeforeTheEnd >= killPoints.length / 2, 'most kills land mid-sweep (else the points are too late)');
});
