import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { listModels } from '../../src/core/ollamaClient';
import { renderPrompt } from '../../src/core/prompt';
import type { HostToWebview, SweepCellView } from '../../src/core/protocol';
import type { AnswerRecord, CellRecord, PromptRecord, RunRecord } from '../../src/core/store/records';
import type { SweepPlan, SweepRequest } from '../../src/core/sweep/plan';
import { cacheKeyOf, caseKeyOf, gridPoints, planSweep, sweepSize } from '../../src/core/sweep/plan';
import type { SweepStore } from '../../src/core/sweep/runner';
import { SweepRun } from '../../src/core/sweep/runner';
import type { SchedulerHost } from '../../src/core/sweep/scheduler';
import { runCells } from '../../src/core/sweep/scheduler';
import { consistencyOf, summarizeSweep, sweepProgress, textSimilarity } from '../../src/core/sweep/summary';
import { startSimulator } from '../../tools/simulator/server';
import type { RunningSimulator } from '../../tools/simulator/server';

const base = `---
model: ollama/llama3.2
config:
  temperature: 0.2
input:
  schema:
    topic: string
---
Write two sentences about {{topic}}.
`;
const concise = base.replace('two sentences', 'one short sentence');

const request = (over: Partial<SweepRequest> = {}): SweepRequest => ({
  family: { id: 'notes', name: 'notes', path: 'notes.prompt' },
  variants: [
    { variant: '', source: base, path: '/w/notes.prompt' },
    { variant: 'concise', source: concise, path: '/w/notes.concise.prompt' },
  ],
  models: ['llama3.2', 'qwen2.5:7b'],
  cases: [
    { index: 0, input: { topic: 'tides' } },
    { index: 1, input: { topic: 'volcanoes' } },
    { index: 2, input: { topic: 'glaciers' } },
  ],
  ...over,
});

const render = async (variant: { source: string }, input: Record<string, unknown>) => renderPrompt(variant.source, input);

/** An in-memory SweepStore that counts its calls. */
class MemoryStore implements SweepStore {
  answers = new Map<string, AnswerRecord>();
  runs = new Map<string, { run: RunRecord; cells: CellRecord[] }>();
  puts = 0;
  getAnswer(key: string): Promise<AnswerRecord | undefined> {
    return Promise.resolve(this.answers.get(key));
  }
  getAnswers(keys: Iterable<string>): Promise<Map<string, AnswerRecord>> {
    const out = new Map<string, AnswerRecord>();
    for (const key of keys) {
      const found = this.answers.get(key);
      if (found) out.set(key, found);
    }
    return Promise.resolve(out);
  }
  putAnswer(record: AnswerRecord): Promise<void> {
    this.puts++;
    this.answers.set(record.key, record);
    return Promise.resolve();
  }
  prompts = new Map<string, PromptRecord>();
  putPrompts(records: PromptRecord[]): Promise<void> {
    for (const r of records) if (!this.prompts.has(r.hash)) this.prompts.set(r.hash, r);
    return Promise.resolve();
  }
  saveRun(run: RunRecord, cells: CellRecord[]): Promise<void> {
    this.runs.set(run.runId, { run: structuredClone(run), cells: structuredClone(cells) });
    return Promise.resolve();
  }
}

async function hostsFor(sim: RunningSimulator, slots = 1): Promise<{ hosts: SchedulerHost[]; digests: Map<string, string> }> {
  const client = new Ollama({ host: sim.url });
  const models = await listModels(client);
  const digests = new Map<string, string>();
  for (const name of ['llama3.2', 'qwen2.5:7b', 'gemma2:2b', 'phi3:mini', 'mistral']) {
    const found = models.find((m) => m.name === name || m.name === `${name}:latest`);
    if (found) digests.set(name, found.digest);
  }
  return { hosts: [{ url: sim.url, client, slots, models: models.map((m) => m.name) }], digests };
}

describe('sweep plan', () => {
  it('lays out variants × models × cases × grid × repeats with stable cell ids', async () => {
    const req = request({ grid: { temperatures: [0, 0.7], seeds: [1] }, repeats: 2 });
    assert.equal(sweepSize(req), 2 * 2 * 3 * 2 * 2);
    const plan = await planSweep(req, render);
    assert.equal(plan.cells.length, 48);
    assert.deepEqual(plan.params, [{ temperature: 0, seed: 1 }, { temperature: 0.7, seed: 1 }]);
    assert.equal(new Set(plan.cells.map((c) => c.cellId)).size, 48, 'cell ids are unique');
    // Model by model.
    assert.deepEqual([...new Set(plan.cells.map((c) => c.model))], ['llama3.2', 'qwen2.5:7b']);
    assert.ok(plan.cells.slice(0, 24).every((c) => c.model === 'llama3.2'));
    // Grid parameters override the frontmatter's options; the rest stay.
    const hot = plan.cells.find((c) => c.paramsIndex === 1)!;
    assert.equal(hot.request!.options.temperature, 0.7);
    assert.equal(hot.request!.options.seed, 1);
    // Re-planning gives the same ids, even with the cases in another order.
    const again = await planSweep(request({ grid: { temperatures: [0, 0.7], seeds: [1] }, repeats: 2, cases: [...req.cases].reverse() }), render);
    assert.deepEqual(new Set(again.cells.map((c) => c.cellId)), new Set(plan.cells.map((c) => c.cellId)));
  });

  it('renders each variant with each case, and keeps render failures as failed cells', async () => {
    const broken = { variant: 'broken', source: '---\nmodel: [unclosed\n---\nHi', path: '/w/notes.broken.prompt' };
    const plan = await planSweep(request({ variants: [request().variants[0], broken] }), render);
    const good = plan.cells.find((c) => c.variant === '' && c.caseIndex === 1)!;
    assert.match(good.request!.messages.at(-1)!.content, /volcanoes/);
    const bad = plan.cells.filter((c) => c.variant === 'broken');
    assert.equal(bad.length, 6);
    assert.ok(bad.every((c) => !c.request && typeof c.renderError === 'string' && c.renderError.length > 0));
  });

  it('the cache key covers digest, messages, options, format and repeat', async () => {
    const plan = await planSweep(request({ repeats: 2 }), render);
    const cell = { ...plan.cells[0], request: plan.cells[0].request! };
    const key = cacheKeyOf(cell, 'sha-a', 'notes');
    assert.equal(cacheKeyOf(cell, 'sha-a', 'notes'), key, 'deterministic');
    assert.notEqual(cacheKeyOf(cell, 'sha-b', 'notes'), key, 'another model digest');
    assert.notEqual(cacheKeyOf({ ...cell, repeat: 1 }, 'sha-a', 'notes'), key, 'another repeat');
    assert.notEqual(cacheKeyOf({ ...cell, request: { ...cell.request, options: { ...cell.request.options, seed: 3 } } }, 'sha-a', 'notes'), key, 'another seed');
    assert.notEqual(cacheKeyOf({ ...cell, request: { ...cell.request, format: 'json' } }, 'sha-a', 'notes'), key, 'another format');
    assert.notEqual(cacheKeyOf({ ...cell, request: { ...cell.request, messages: [{ role: 'user', content: 'x' }] } }, 'sha-a', 'notes'), key, 'other messages');
    // Key order inside options does not matter.
    assert.notEqual(cacheKeyOf({ ...cell, variant: 'copy' }, 'sha-a', 'notes'), key, 'another variant (a copied file) has answers of its own');
    assert.notEqual(cacheKeyOf(cell, 'sha-a', 'other'), key, 'another family');
    const reordered = Object.fromEntries(Object.entries(cell.request.options).reverse());
    assert.equal(cacheKeyOf({ ...cell, request: { ...cell.request, options: reordered } }, 'sha-a', 'notes'), key);
  });

  it('refuses empty and absurd sweeps with a sentence that says what to change', async () => {
    await assert.rejects(planSweep(request({ models: [] }), render), /at least one model/);
    await assert.rejects(planSweep(request({ repeats: 100_000 }), render), /limit is 100,000/);
    assert.deepEqual(gridPoints(undefined), [{}]);
    assert.equal(caseKeyOf({ a: 1, b: 2 }), caseKeyOf({ b: 2, a: 1 }));
  });
});

describe('review fixes', () => {
  it('two cases with the same input are two rows with their own cells, and the sweep finishes both', async () => {
    const sim = await startSimulator({ port: 0, timeScale: 0.002 });
    try {
      const same = { topic: 'tides' };
      const plan = await planSweep(request({ models: ['llama3.2'], variants: [request().variants[0]], cases: [{ index: 0, input: same }, { index: 1, input: { ...same } }] }), render);
      assert.equal(new Set(plan.cells.map((c) => c.cellId)).size, 2);
      const { hosts, digests } = await hostsFor(sim, 1);
      const outcome = await new SweepRun({ plan, hosts, digests, store: new MemoryStore(), idleTimeoutMs: 10_000 }).start();
      assert.deepEqual(outcome.view.cells.map((c) => c.status), ['done', 'done']);
    } finally {
      await sim.close();
    }
  });

  it('a cell gets its answer key (and so can be rated) only once its answer is stored; without the cache a different finished answer is not replaced', async () => {
    const sim = await startSimulator({ port: 0, timeScale: 0.002 });
    try {
      const plan = await planSweep(request({ models: ['llama3.2'], variants: [request().variants[0]], cases: [request().cases[0]] }), render);
      const { hosts, digests } = await hostsFor(sim, 1);
      const store = new MemoryStore();
      const seen: (string | undefined)[] = [];
      const run = new SweepRun({ plan, hosts, digests, store, idleTimeoutMs: 10_000, onAnswerStored: (cell) => seen.push(cell.answerKey) });
      assert.equal(run.view.cells[0].answerKey, undefined, 'a queued cell has no key yet');
      const first = await run.start();
      const key = first.view.cells[0].answerKey!;
      assert.deepEqual(seen, [key]);
      // The stored (and maybe rated) answer differs from what a fresh request would give now.
      store.answers.set(key, { ...store.answers.get(key)!, text: 'the answer the user rated' });
      const again = await new SweepRun({ plan, hosts, digests, store, idleTimeoutMs: 10_000, useCache: false }).start();
      assert.equal(store.answers.get(key)?.text, 'the answer the user rated', 'not replaced');
      assert.notEqual(again.view.cells[0].answerKey, key, 'the new answer has a key of its own');
      assert.ok(store.answers.get(again.view.cells[0].answerKey!));
    } finally {
      await sim.close();
    }
  });

  it('when every retry fails, the longest partial answer is kept', async () => {
    let attempt = 0;
    const client = {
      chat: () => {
        attempt++;
        if (attempt > 1) return Promise.reject(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }));
        async function* cut() {
          yield await Promise.resolve({ message: { role: 'assistant', content: 'Most of the answer' } });
          throw new Error('terminated');
        }
        return Promise.resolve(Object.assign(cut(), { abort: () => undefined }));
      },
    } as unknown as SchedulerHost['client'];
    const plan = await planSweep(request({ models: ['m'], variants: [request().variants[0]], cases: [request().cases[0]] }), render);
    let result: { status: string; text: string; attempts: number } | undefined;
    await runCells([{ cellId: 'c', model: 'm', request: plan.cells[0].request! }], {
      onStatus: () => undefined,
      onText: () => undefined,
      onRetry: () => undefined,
      onFinish: (_id, r) => {
        result = r;
      },
    }, { hosts: [{ url: 'http://x', client, slots: Number.NaN }], idleTimeoutMs: 1000, retryDelayMs: () => 1 });
    assert.equal(result?.status, 'failed');
    assert.equal(result?.attempts, 3);
    assert.equal(result?.text, 'Most of the answer', 'the partial text of the first attempt survives the later, emptier failures');
  });
});

describe('summaries and consistency', () => {
  const cell = (over: Partial<SweepCellView>): SweepCellView => ({ cellId: 'x', variant: '', model: 'm', caseIndex: 0, paramsIndex: 0, repeat: 0, status: 'done', text: 'a', ...over });

  it('similarity is 1 for equal texts, 0 for disjoint ones, and in between otherwise', () => {
    assert.equal(textSimilarity('the cat sat', 'the  cat sat '), 1);
    assert.equal(textSimilarity('a b c', 'x y z'), 0);
    assert.equal(textSimilarity('a b c d', 'a b x y'), 0.5);
    assert.deepEqual(consistencyOf(['one two', 'one two', 'one three']), { distinct: 2, similarity: (1 + 0.5 + 0.5) / 3 });
  });

  it('summaries count per column and per variant, with mean metrics over finished cells', () => {
    const cells = [
      cell({ cellId: '1', metrics: { totalMs: 100, tokensPerSecond: 10 } }),
      cell({ cellId: '2', status: 'cached', metrics: { totalMs: 300, tokensPerSecond: 30 } }),
      cell({ cellId: '3', status: 'failed' }),
      cell({ cellId: '4', variant: 'v', model: 'n', metrics: { totalMs: 50 } }),
    ];
    const summaries = summarizeSweep(cells, ['', 'v']);
    const column = summaries.find((s) => s.variant === '' && s.model === 'm')!;
    assert.equal(column.cells, 3);
    assert.equal(column.done, 2);
    assert.equal(column.failed, 1);
    assert.equal(column.meanTotalMs, 200);
    assert.equal(column.meanTokensPerSecond, 20);
    const variant = summaries.find((s) => s.variant === 'v' && s.model === undefined)!;
    assert.equal(variant.cells, 1);
    assert.deepEqual(sweepProgress(cells), { total: 4, done: 3, cached: 1, failed: 1, cancelled: 0 });
  });
});

describe('scheduler against the simulator', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.002, maxLoaded: 1, parallel: 2 });
  });
  after(() => sim.close());

  it('goes model by model, never exceeds the slots, and loads each model once', async () => {
    await sim.reset();
    const plan = await planSweep(request({ models: ['llama3.2', 'qwen2.5:7b', 'gemma2:2b'] }), render);
    // Interleave the cells so the scheduler, not the plan order, has to group them.
    const cells = plan.cells.map((c) => ({ cellId: c.cellId, model: c.model, request: c.request! })).sort((a, b) => a.cellId.localeCompare(b.cellId));
    const { hosts } = await hostsFor(sim, 2);
    let maxActive = 0;
    let active = 0;
    const summary = await runCells(cells, {
      onStatus: (_id, status) => {
        if (status === 'loading') maxActive = Math.max(maxActive, ++active);
      },
      onText: () => undefined,
      onRetry: () => undefined,
      onFinish: () => {
        active--;
      },
    }, { hosts, idleTimeoutMs: 10_000 });
    assert.equal(summary.done, 18);
    assert.equal(summary.failed, 0);
    assert.ok(maxActive <= 2, `at most 2 requests in flight, saw ${maxActive}`);
    const stats = sim.stats;
    assert.equal(stats.loads, 3, `each of 3 models loaded once with room for one, saw ${stats.loads} loads`);
    assert.ok(Object.values(stats.maxActive).every((n) => n <= 2));
  });

  it('retries a transient 500 and reports a missing model without a request per cell', async () => {
    await sim.reset();
    await sim.setFaults({ serverError: [{ model: 'llama3.2', everyNth: 2 }] });
    try {
      const plan = await planSweep(request({ models: ['llama3.2', 'mistral'] }), render);
      const cells = plan.cells.map((c) => ({ cellId: c.cellId, model: c.model, request: c.request! }));
      const { hosts } = await hostsFor(sim, 1);
      const results = new Map<string, { status: string; kind?: string; attempts: number }>();
      const summary = await runCells(cells, {
        onStatus: () => undefined,
        onText: () => undefined,
        onRetry: () => undefined,
        onFinish: (id, r) => {
          results.set(id, { status: r.status, kind: r.error?.kind, attempts: r.attempts });
        },
      }, { hosts, idleTimeoutMs: 10_000, retryDelayMs: () => 1 });
      const llama = plan.cells.filter((c) => c.model === 'llama3.2').map((c) => results.get(c.cellId)!);
      assert.ok(llama.every((r) => r.status === 'done'), 'every 500 was retried to success');
      assert.ok(llama.some((r) => r.attempts === 2), 'some cells needed a retry');
      const mistral = plan.cells.filter((c) => c.model === 'mistral').map((c) => results.get(c.cellId)!);
      assert.ok(mistral.every((r) => r.status === 'failed' && r.kind === 'modelMissing' && r.attempts === 0), 'not installed: failed without requests');
      assert.equal(sim.stats.requests.byModel['mistral:latest'] ?? 0, 0);
      assert.ok(summary.retries >= 1);
    } finally {
      await sim.setFaults({});
    }
  });

  it('spreads cells over two hosts, each only with the models it has', async () => {
    const other = await startSimulator({ port: 0, timeScale: 0.002, models: [{ name: 'llama3.2:latest', sizeBytes: 2e9, family: 'llama', parameterSize: '3.2B', quantization: 'Q4_K_M', loadMs: 100, promptTokensPerSec: 1000, genTokensPerSec: 50 }] });
    try {
      await sim.reset();
      const plan = await planSweep(request({ models: ['llama3.2', 'qwen2.5:7b'] }), render);
      const cells = plan.cells.map((c) => ({ cellId: c.cellId, model: c.model, request: c.request! }));
      const one = await hostsFor(sim, 1);
      const two = await hostsFor(other, 1);
      const byHost = new Map<string, string[]>();
      await runCells(cells, {
        onStatus: () => undefined,
        onText: () => undefined,
        onRetry: () => undefined,
        onFinish: (id, r) => {
          byHost.set(r.host, [...(byHost.get(r.host) ?? []), plan.cells.find((c) => c.cellId === id)!.model]);
        },
      }, { hosts: [...one.hosts, ...two.hosts], idleTimeoutMs: 10_000 });
      const onOther = byHost.get(other.url) ?? [];
      assert.ok(onOther.length > 0, 'the second host took work');
      assert.ok(onOther.every((m) => m === 'llama3.2'), 'the second host only got the model it has');
      assert.equal([...byHost.values()].flat().length, 12);
    } finally {
      await other.close();
    }
  });
});

describe('a sweep run: cache, store, feed and cancel', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.002 });
  });
  after(() => sim.close());

  async function runSweep(plan: SweepPlan, store: MemoryStore, extra: { cancelAfter?: number; messages?: HostToWebview[] } = {}) {
    const { hosts, digests } = await hostsFor(sim, 1);
    let settled = 0;
    const run: SweepRun = new SweepRun({
      plan,
      hosts,
      digests,
      store,
      idleTimeoutMs: 10_000,
      flushIntervalMs: 20,
      emit: (m) => extra.messages?.push(m),
      onCellSettled: () => {
        if (++settled === extra.cancelAfter) run.cancel();
      },
    });
    return run.start();
  }

  it('stores every answer, then re-runs only the edited variant and takes the rest from the cache', async () => {
    await sim.reset();
    const store = new MemoryStore();
    const messages: HostToWebview[] = [];
    const first = await runSweep(await planSweep(request(), render), store, { messages });
    assert.equal(first.progress.done, 12);
    assert.equal(first.cached, 0);
    assert.equal(store.answers.size, 12);
    assert.equal(store.prompts.size, 6, 'one stored prompt per variant × case, shared by the models');
    assert.ok([...store.answers.values()].every((a) => store.prompts.get(a.promptHash)?.messages.length));
    assert.equal(sim.stats.requests.byEndpoint['/api/chat'], 12);
    // The feed: a start, coalesced cell updates (far fewer than tokens), a finish.
    assert.equal(messages[0].type, 'sweepStarted');
    assert.equal(messages.at(-1)!.type, 'sweepFinished');
    const cellMessages = messages.filter((m) => m.type === 'sweepCells');
    assert.ok(cellMessages.length < sim.stats.tokens.generated / 4, `${cellMessages.length} messages for ${sim.stats.tokens.generated} tokens`);
    const saved = [...store.runs.values()][0];
    assert.equal(saved.run.state, 'finished');
    assert.equal(saved.cells.filter((c) => c.status === 'done').length, 12);

    // Edit the concise variant: only its 6 cells are requested again.
    const edited = request();
    edited.variants[1] = { ...edited.variants[1], source: concise.replace('one short sentence', 'one sentence') };
    const second = await runSweep(await planSweep(edited, render), store);
    assert.equal(second.cached, 6);
    assert.equal(sim.stats.requests.byEndpoint['/api/chat'], 18);
    assert.ok(second.view.cells.filter((c) => c.variant === '').every((c) => c.status === 'cached' && c.text.length > 0));
    assert.ok(second.view.cells.filter((c) => c.variant === 'concise').every((c) => c.status === 'done'));
  });

  it('cancelling keeps the finished cells and marks the rest cancelled', async () => {
    await sim.reset();
    const store = new MemoryStore();
    const outcome = await runSweep(await planSweep(request(), render), store, { cancelAfter: 4 });
    assert.equal(outcome.view.state, 'cancelled');
    const done = outcome.view.cells.filter((c) => c.status === 'done');
    assert.ok(done.length >= 4 && done.length < 12, `kept ${done.length} finished cells`);
    assert.ok(outcome.view.cells.every((c) => c.status === 'done' || c.status === 'cancelled'));
    assert.equal(outcome.progress.cancelled, 12 - done.length);
    assert.ok(done.every((c) => store.answers.get(c.answerKey!)?.text === c.text), 'finished answers are stored');
    assert.equal([...store.runs.values()][0].run.state, 'cancelled');
  });

  it('a cut stream is retried; when it keeps failing the partial answer is kept and marked', async () => {
    await sim.reset();
    await sim.setFaults({ cut: [{ model: 'llama3.2', afterTokens: 3 }] });
    try {
      const store = new MemoryStore();
      const { hosts, digests } = await hostsFor(sim, 1);
      const plan = await planSweep(request({ models: ['llama3.2'], variants: [request().variants[0]], cases: [request().cases[0]] }), render);
      const outcome = await new SweepRun({ plan, hosts, digests, store, idleTimeoutMs: 10_000, maxRetries: 1, retryDelayMs: () => 1 }).start();
      const cell = outcome.view.cells[0];
      assert.equal(cell.status, 'failed');
      assert.equal(cell.error?.kind, 'cut');
      assert.equal(cell.attempts, 2);
      assert.ok(cell.text.length > 0, 'partial text kept');
      assert.equal(store.answers.get(cell.answerKey!)?.status, 'failed');
      // A failed answer is never served from the cache.
      await sim.setFaults({});
      const again = await new SweepRun({ plan, hosts, digests, store, idleTimeoutMs: 10_000 }).start();
      assert.equal(again.cached, 0);
      assert.equal(again.view.cells[0].status, 'done');
    } finally {
      await sim.setFaults({});
    }
  });
});
