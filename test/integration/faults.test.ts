/**
 * Faults from Ollama during a sweep, through the simulator's fault injection, in
 * the real VS Code. Each ends in a clear state per cell and an actionable
 * message, the sweep is no longer running (no hung progress), and it resumes.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweepView } from '../../src/core/protocol';
import type { PromptLoopApi } from '../../src/extension';
import { startSimulator } from '../../tools/simulator/server';
import { config, waitFor, workspaceRoot } from './helpers';
import { clickNotificationButton, notificationMessages, screenshot, webview } from './uiBridge';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

suite('Faults during a sweep', () => {
  let sim: Simulator;
  let api: PromptLoopApi;
  let seed = 100;
  const uri = () => vscode.Uri.file(path.join(workspaceRoot(), 'classify-ticket.prompt'));
  /** A fresh sweep (a new seed: nothing cached) of 1 variant × 2 models × 2 cases. */
  const sweep = (extra: { seeds?: number[] } = {}) =>
    api.services.sweeps.run(uri(), { variants: [''], models: ['llama3.2', 'gemma2:2b'], cases: [0, 1], temperatures: [], seeds: extra.seeds ?? [seed++], repeats: 1, skipConfirm: true }) as Promise<SweepView>;
  const statuses = (view: SweepView, model: string) => view.cells.filter((c) => c.model === model).map((c) => c.status);
  const notRunning = () => assert.equal(api.services.sweeps.running, false, 'the sweep is over: no progress left hanging');
  /** Takes the server away for `forMs` once the next sweep has a finished cell; `stop()` ends the watch. */
  const outageAfterFirstCell = (forMs: number) => {
    const earlier = api.services.sweeps.view?.sweepId;
    const state = { tripped: false, stop: () => clearInterval(watcher) };
    const watcher = setInterval(() => {
      const view = api.services.sweeps.view;
      if (!state.tripped && view && view.sweepId !== earlier && view.cells.some((c) => c.status === 'done')) {
        state.tripped = true;
        void sim.setFaults({ refuse: 'closed', refuseForMs: forMs });
      }
    }, 5);
    return state;
  };

  suiteSetup(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.01 });
    await config().update('ollamaHost', sim.url, vscode.ConfigurationTarget.Workspace);
    api = await vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!.activate();
  });

  setup(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await sim.setFaults({});
  });

  suiteTeardown(async () => {
    for (const key of ['ollamaHost', 'requestTimeoutSeconds', 'retries']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    await sim.close();
  });

  test('server down at the start: a message naming the host, no sweep starts', async () => {
    await config().update('ollamaHost', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Workspace);
    try {
      const started = sweep();
      const message = await waitFor('the unreachable message', async () => (await notificationMessages()).find((m) => m.includes('127.0.0.1:9')));
      assert.match(message, /not reachable/);
      await vscode.commands.executeCommand('notifications.clearAll');
      assert.equal(await started, undefined, 'nothing ran');
      notRunning();
    } finally {
      await config().update('ollamaHost', sim.url, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the server goes away mid-sweep and comes back: retries carry the sweep through', async () => {
    const outage = outageAfterFirstCell(700);
    try {
      const view = await sweep();
      assert.ok(outage.tripped, 'the outage happened during the sweep');
      assert.ok(view.cells.every((c) => c.status === 'done'), view.cells.map((c) => `${c.status} ${c.error?.message ?? ''}`).join(' | '));
      notRunning();
    } finally {
      outage.stop();
    }
  });

  test('the server stays away: cells fail as unreachable, Retry resumes and only the rest is requested', async () => {
    await config().update('retries', 0, vscode.ConfigurationTarget.Workspace);
    const seeds = [seed++];
    const outage = outageAfterFirstCell(60_000);
    try {
      const view = await sweep({ seeds });
      outage.stop();
      const failed = view.cells.filter((c) => c.status === 'failed');
      // A request in flight when the server went is cut; the ones after it find nobody there.
      assert.ok(failed.some((c) => c.error?.kind === 'unreachable') && failed.every((c) => c.error?.kind === 'unreachable' || c.error?.kind === 'cut'), view.cells.map((c) => `${c.status}:${c.error?.kind ?? ''}`).join(','));
      const done = view.cells.filter((c) => c.status === 'done').length;
      notRunning();
      await webview.waitFor('[data-view="sweep"] [data-cell-key][data-status="failed"]', {});
      await screenshot('sweep-unreachable');
      const message = await waitFor('the Retry message', async () => (await notificationMessages()).find((m) => /not reachable/.test(m) && /Retry resumes/.test(m)));
      assert.ok(message);
      await sim.setFaults({});
      const before = sim.stats.requests.byEndpoint['/api/chat'] ?? 0;
      const resumed = new Promise<SweepView>((resolve) => {
        const sub = api.services.sweeps.onDidFinishSweep((v) => {
          sub.dispose();
          resolve(v);
        });
      });
      await clickNotificationButton('not reachable', 'Retry');
      const after = await resumed;
      assert.ok(after.cells.every((c) => c.status === 'done' || c.status === 'cached'));
      assert.equal(after.cells.filter((c) => c.status === 'cached').length, done, 'the finished cells come from the cache');
      assert.equal((sim.stats.requests.byEndpoint['/api/chat'] ?? 0) - before, view.cells.length - done);
    } finally {
      outage.stop();
      await config().update('retries', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a 404 model fails its cells with one request and offers Pull; the other model is unaffected', async () => {
    await sim.setFaults({ notFound: ['gemma2:2b'] });
    const before = sim.stats.requests.byEndpoint['/api/chat'] ?? 0;
    const view = await sweep();
    assert.deepEqual(statuses(view, 'llama3.2'), ['done', 'done']);
    assert.deepEqual(statuses(view, 'gemma2:2b'), ['failed', 'failed']);
    assert.ok(view.cells.filter((c) => c.model === 'gemma2:2b').every((c) => c.error?.kind === 'modelMissing'));
    assert.equal((sim.stats.requests.byEndpoint['/api/chat'] ?? 0) - before, 3, 'llama 2, and one request found gemma missing; its other cell was not sent');
    const message = await waitFor('the Pull offer', async () => (await notificationMessages()).find((m) => m.includes('gemma2:2b') && m.includes('not installed')));
    assert.ok(message);
    notRunning();
  });

  test('a 500 is retried, then reported with its reason and Run Again', async () => {
    await sim.setFaults({ serverError: [{ model: 'llama3.2' }] });
    const view = await sweep();
    const llama = view.cells.filter((c) => c.model === 'llama3.2');
    assert.ok(llama.every((c) => c.status === 'failed' && c.error?.kind === 'server' && c.attempts === 3), llama.map((c) => `${c.status}/${c.attempts}`).join(','));
    assert.deepEqual(statuses(view, 'gemma2:2b'), ['done', 'done']);
    const message = await waitFor('the failure message', async () => (await notificationMessages()).find((m) => m.includes('finished with failures')));
    assert.match(message, /500/);
    notRunning();
  });

  test('a stream cut after a few tokens is retried; when it keeps failing the partial answer is kept and marked', async () => {
    await sim.setFaults({ cut: [{ model: 'gemma2:2b', afterTokens: 2 }] });
    const view = await sweep();
    const gemma = view.cells.filter((c) => c.model === 'gemma2:2b');
    assert.ok(gemma.every((c) => c.status === 'failed' && c.error?.kind === 'cut' && c.text.length > 0), gemma.map((c) => `${c.status}:${c.text.length}`).join(','));
    assert.deepEqual(statuses(view, 'llama3.2'), ['done', 'done']);
    notRunning();
  });

  test('a stall longer than the timeout ends the cell as timed out; a slow model load within it is fine', async () => {
    await config().update('requestTimeoutSeconds', 5, vscode.ConfigurationTarget.Workspace);
    await config().update('retries', 0, vscode.ConfigurationTarget.Workspace);
    try {
      // Nothing loaded, so gemma2:2b has to load (slowly).
      await sim.reset();
      await sim.setFaults({ stall: [{ model: 'llama3.2', afterTokens: 2 }], slowLoad: [{ model: 'gemma2:2b', loadMs: 2500 }] });
      const started = Date.now();
      const view = await sweep();
      const llama = view.cells.filter((c) => c.model === 'llama3.2');
      assert.ok(llama.every((c) => c.status === 'failed' && c.error?.kind === 'timeout' && /stopped sending for 5 s/.test(c.error.message)), llama.map((c) => c.error?.message).join(' | '));
      const gemma = view.cells.filter((c) => c.model === 'gemma2:2b');
      assert.ok(gemma.every((c) => c.status === 'done'));
      assert.ok(gemma.some((c) => (c.metrics?.loadMs ?? 0) >= 2000), 'the slow load shows in the load time');
      assert.ok(Date.now() - started < 30_000);
      notRunning();
    } finally {
      await config().update('requestTimeoutSeconds', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('retries', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
