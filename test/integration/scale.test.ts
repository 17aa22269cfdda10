/**
 * Scale in the browser, inside the real VS Code: a results grid of 10,000 cells
 * opens and scrolls to its end, and 16 answers streaming at once keep the panel
 * responsive. The numbers (time to first render, longest main-thread task, frame
 * times, message rate) are printed and, when PROMPT_LOOP_BENCH_OUT names a file,
 * written there for `npm run bench`, which holds them against their targets.
 * This test asserts what the user sees, never a timing.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SweepCellUpdate, SweepCellView, SweepView } from '../../src/core/protocol';
import type { PromptLoopApi } from '../../src/extension';
import { waitFor } from './helpers';
import { webview } from './uiBridge';

function sweepOf(id: string, cases: number, models: string[], variants: string[], status: SweepCellView['status'], text: (i: number) => string): SweepView {
  const cells: SweepCellView[] = [];
  let i = 0;
  for (const model of models) {
    for (const variant of variants) {
      for (let row = 0; row < cases; row++) {
        cells.push({ cellId: `${id}-${i}`, variant, model, caseIndex: row, paramsIndex: 0, repeat: 0, status, text: text(i), metrics: status === 'done' ? { totalMs: 800 + (i % 400), tokensPerSecond: 30 + (i % 20), answerTokens: 120 } : undefined });
        i++;
      }
    }
  }
  return {
    sweepId: id, family: 'scale', familyPath: 'scale.prompt', variants, models,
    cases: Array.from({ length: cases }, (_, row) => ({ index: row, label: `case ${row + 1}: topic ${row}`, input: { topic: `topic ${row}` } })),
    params: [{}], repeats: 1, cells, state: status === 'done' ? 'finished' : 'running', startedAt: Date.now(), summaries: [], consistency: [],
  };
}

/** Installed in the panel's frame: long tasks, frame gaps, and when the first grid cell appeared after a mark. */
const probe = `(() => {
  const m = (window.__scale = { longest: 0, longTasks: 0, frames: [], firstCellAt: undefined, running: true });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) { m.longTasks++; m.longest = Math.max(m.longest, e.duration); } }).observe({ type: 'longtask', buffered: false });
  } catch {}
  let last = performance.now();
  // The new grid (not one shown before): it has at least 500 rows and draws cells.
  const drawn = () => Number(document.querySelector('[data-view="sweep"] [role=grid]')?.getAttribute('aria-rowcount') ?? 0) >= 500 && document.querySelector('[data-view="sweep"] [data-cell-key]') !== null;
  const tick = (frameTime) => {
    m.frames.push(frameTime - last); last = frameTime;
    // Wall-clock time, to compare with the moment the extension host posted the sweep.
    if (m.firstCellAt === undefined && drawn()) m.firstCellAt = Date.now();
    if (m.running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return true;
})()`;

interface Measured { longest: number; longTasks: number; frames: number[]; firstCellAt?: number }

suite('Scale in the browser', () => {
  let api: PromptLoopApi;
  const results: Record<string, number> = {};

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!.activate();
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('promptLoop.showResults');
    // Messages posted before the webview is ready are dropped (its state replaces them).
    await waitFor('the panel to be ready', () => api.services.panel.isReady && webview.exists(), 30_000);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    const out = process.env.PROMPT_LOOP_BENCH_OUT;
    if (out) writeFileSync(out, JSON.stringify(results, null, 2));
    console.log(`scale: ${JSON.stringify(results)}`);
  });

  test('a grid of 10,000 cells opens and scrolls to its last row', async () => {
    await webview.evaluate(probe);
    // 500 cases × 2 models × 10 variants, every answer a few hundred characters.
    const sweep = sweepOf('scale-10k', 500, ['llama3.2', 'qwen2.5:7b'], Array.from({ length: 10 }, (_, v) => (v === 0 ? '' : `v${v}`)), 'done', (i) => `Answer ${i}: `.concat('the tide rises and falls with the moon. '.repeat(8)));
    assert.equal(sweep.cells.length, 10_000);
    const posted = Date.now();
    api.services.panel.post({ type: 'sweepStarted', sweep });
    api.services.panel.post({ type: 'showView', view: 'sweep' });
    // The new grid (a smaller one may be on screen from before).
    await waitFor('the 10,000-cell grid', async () => (await webview.query('[data-view="sweep"] [role=grid]')).some((g) => Number(g.attrs['aria-rowcount']) >= 500), 30_000);
    await webview.waitFor('[data-view="sweep"] [data-cell-key]', { minCount: 4 }, 30_000);
    const drawn = (await webview.query('[data-view="sweep"] [data-cell-key]')).length;
    assert.ok(drawn < 400, `only what is visible is drawn (${drawn} cells)`);
    // Scroll with the keyboard to the very last cell, as a user would.
    await webview.focus('[data-view="sweep"] [data-cell-key] >> nth=0');
    await webview.press('Control+End');
    await webview.waitFor('[data-view="sweep"] [data-cell-key][data-case="499"]', {}, 10_000);
    await webview.press('Control+Home');
    await webview.waitFor('[data-view="sweep"] [data-cell-key][data-case="0"]', {}, 10_000);
    const m = await webview.evaluate<Measured>('window.__scale');
    // From the host's post to the first frame with the new grid's cells: message passing, the panel's
    // handling and the first layout, as the user waits for them.
    assert.ok(m.firstCellAt !== undefined, 'the probe saw the grid');
    results.gridFirstRenderMs = m.firstCellAt - posted;
    results.gridLongestTaskMs = m.longest;
    results.gridCellsDrawn = drawn;
  });

  test('16 answers streaming at once keep the panel responsive', async () => {
    await webview.evaluate(probe);
    const sweep = sweepOf('scale-stream', 4, ['llama3.2', 'qwen2.5:7b'], ['', 'a'], 'running', () => '');
    assert.equal(sweep.cells.length, 16);
    api.services.panel.post({ type: 'sweepStarted', sweep });
    await webview.waitFor('[data-view="sweep"] [data-cell-key]', { minCount: 4 }, 10_000);
    await webview.evaluate('(window.__scale.frames = [], window.__scale.longest = 0, window.__scale.longTasks = 0, true)');
    const messages = 60;
    const started = Date.now();
    for (let n = 0; n < messages; n++) {
      // What the host sends every 50–100 ms: a few tokens for each of the 16 answers.
      const updates: SweepCellUpdate[] = sweep.cells.map((c) => ({ cellId: c.cellId, status: 'running', appendText: ` token${n} **bold** and more words` }));
      api.services.panel.post({ type: 'sweepCells', sweepId: sweep.sweepId, updates, progress: { total: 16, done: 0, cached: 0, failed: 0, cancelled: 0 } });
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const m = await webview.evaluate<Measured>('(window.__scale.running = false, window.__scale)');
    const frames = m.frames.slice(1).sort((a, b) => a - b);
    results.streamMessagesPerSecond = messages / seconds;
    results.streamLongestTaskMs = m.longest;
    results.streamLongTasks = m.longTasks;
    results.streamFrameP95Ms = frames[Math.floor(frames.length * 0.95)] ?? 0;
    results.streamFrameMaxMs = frames.at(-1) ?? 0;
    // The cell shows the start of its answer; its detail shows all of it, up to the last tokens.
    await webview.focus('[data-view="sweep"] [data-cell-key] >> nth=0');
    await webview.press('Enter');
    await webview.waitFor('[data-cell-detail] [data-detail-body]', { textIncludes: `token${messages - 1}` }, 10_000);
    await webview.press('Escape');
    assert.ok(frames.length > seconds * 10, `frames kept coming (${frames.length} in ${seconds.toFixed(1)} s)`);
  });
});
