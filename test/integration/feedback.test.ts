/**
 * The feedback loop as a user lives it in a real VS Code: rate answers with the
 * keyboard, read the scores, judge blind pairs, ask the optimizer for rewrites,
 * accept one as a variant, prove it with an A/B sweep and see the change.
 * (The window reload that must keep the ratings is in afterReload.test.ts.)
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLoopApi } from '../../src/extension';
import { startSimulator } from '../../tools/simulator/server';
import { config, waitFor, workspaceRoot } from './helpers';
import { screenshot, webview, workbench } from './uiBridge';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

const basePath = () => path.join(workspaceRoot(), 'summarize.prompt');
const cell = (variant: string, row: number) => `[data-view="sweep"] [data-cell-key][data-variant="${variant}"][data-case="${row}"]`;


suite('Ratings that feed back', () => {
  let sim: Simulator;
  let api: PromptLoopApi;
  const store = () => api.services.stores.forRoot(workspaceRoot());
  const ratingsOf = async (variant?: string) => (await (await store()).ratings('summarize')).filter((r) => variant === undefined || r.variant === variant);

  suiteSetup(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.02 });
    await config().update('ollamaHost', sim.url, vscode.ConfigurationTarget.Workspace);
    await config().update('models', ['llama3.2'], vscode.ConfigurationTarget.Workspace);
    await config().update('optimizerModel', 'qwen2.5:7b', vscode.ConfigurationTarget.Workspace);
    api = await vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!.activate();
    await vscode.commands.executeCommand('notifications.clearAll');
    // More room for the panel, as a user rating a grid would make.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    // The sweep suite creates this variant; make it when this suite runs alone.
    const concise = path.join(workspaceRoot(), 'summarize.concise.prompt');
    if (!existsSync(concise)) {
      writeFileSync(concise, readFileSync(basePath(), 'utf8').replace('in at most {{maxBullets}} bullet points', 'in one sentence'));
      api.services.families.refresh();
    }
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    for (const key of ['models', 'optimizerModel']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    // The reload phase reads the sweep from the store, without Ollama: leave the host unset.
    await config().update('ollamaHost', undefined, vscode.ConfigurationTarget.Workspace);
    await sim.close();
  });

  test('rate sweep answers with the keys 1–5, and comment on one', async () => {
    await vscode.commands.executeCommand('promptLoop.runSweep', vscode.Uri.file(basePath()), { variants: ['', 'concise'], models: ['llama3.2'], cases: [0, 1, 2], temperatures: [], seeds: [], repeats: 1, skipConfirm: true });
    await webview.waitFor('[data-sweep-progress]', { textIncludes: '6 of 6' }, 30_000);
    // base: 2, 4, 1 down the first column; concise: 5, 4, 4 down the second.
    await webview.focus(cell('', 0));
    for (const key of ['2', 'ArrowDown', '4', 'ArrowDown', '1', 'ArrowRight', '4', 'ArrowUp', '4', 'ArrowUp', '5']) await webview.press(key);
    const rated = await waitFor('six ratings in the store', async () => {
      const list = await ratingsOf();
      return list.length === 6 ? list : undefined;
    });
    const byVariant = (variant: string) => rated.filter((r) => r.variant === variant).map((r) => r.score).sort();
    assert.deepEqual(byVariant(''), [1, 2, 4]);
    assert.deepEqual(byVariant('concise'), [4, 4, 5]);
    const shown = await webview.waitFor('[data-view="sweep"] [data-cell-key][data-rating]', { minCount: 6 });
    assert.ok(shown.some((c) => c.attrs['data-variant'] === 'concise' && c.attrs['data-rating'] === '5'));
    await screenshot('rated-grid');

    // A comment on the worst answer, from the cell's detail pane.
    await webview.focus(cell('', 2));
    await webview.press('Enter');
    await webview.click('[data-cell-detail] [data-action="toggleComment"]');
    await webview.type('Buries the decision; too long.', '[data-cell-detail] [data-rating-comment]');
    await webview.press('Control+Enter', '[data-cell-detail] [data-rating-comment]');
    await waitFor('the comment in the store', async () => (await ratingsOf('')).some((r) => r.comment === 'Buries the decision; too long.' && r.score === 1));
    await screenshot('rating-comment');
    await webview.press('Escape');
  });

  test('a single run’s answers are rated where they stand', async () => {
    const document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'classify-ticket.prompt'));
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const run = await api.services.runs.run(document, { models: ['llama3.2', 'gemma2:2b'] });
    const key = await waitFor('an answer key', () => run?.answers.find((a) => a.model === 'gemma2:2b')?.answerKey);
    await webview.waitFor(`[data-rating-for="${key}"]`, {});
    await webview.focus('[data-view="run"] article.answer[data-model="gemma2:2b"]');
    await webview.press('5');
    await webview.waitFor(`[data-rating-for="${key}"]`, { attr: { 'data-rated': '5' } });
    // The bar shows the score at once; the store has it a moment later.
    const ratings = await waitFor('the rating in the store', async () => {
      const list = await (await store()).ratings('classify-ticket');
      return list.length > 0 ? list : undefined;
    });
    assert.deepEqual(ratings.map((r) => [r.model, r.score]), [['gemma2:2b', 5]]);
  });

  test('the scores view shows each variant with its interval, and says when it cannot tell', async () => {
    await vscode.commands.executeCommand('promptLoop.runSweep', vscode.Uri.file(basePath()), { variants: ['', 'concise'], models: ['llama3.2'], cases: [0, 1, 2], temperatures: [], seeds: [], repeats: 1, skipConfirm: true });
    await vscode.commands.executeCommand('promptLoop.showScores');
    const verdict = await webview.waitFor('[data-view="scores"] [data-verdict]', {});
    // base 2.3 (n = 3) and concise 4.3 (n = 3): the intervals are too wide to name a winner.
    assert.match(verdict[0].text, /Cannot tell concise .* apart from base/);
    const concise = await webview.waitFor('[data-view="scores"] [data-variant-score="concise"]', {});
    assert.equal(Number(concise[0].attrs['data-mean']).toFixed(2), '4.33');
    assert.equal(concise[0].attrs['data-n'], '3');
    await screenshot('scores');
  });

  test('blind A/B: three pairs judged with the keyboard, names hidden', async () => {
    await vscode.commands.executeCommand('promptLoop.compareBlind');
    for (const key of ['a', 'b', 't']) {
      const sides = await webview.waitFor('[data-view="blind"] [data-blind-side]', { count: 2 });
      if (key === 'a') await screenshot('blind');
      assert.ok(sides.every((s) => !/concise|base|llama/.test(s.attrs['aria-label'] ?? '')), 'no names on the sides');
      const before = (await (await store()).pairs('summarize')).length;
      await webview.press(key, '[data-view="blind"]');
      await waitFor('the verdict stored', async () => (await (await store()).pairs('summarize')).length === before + 1);
    }
    const pairs = await (await store()).pairs('summarize');
    assert.deepEqual(pairs.map((p) => p.winner), ['left', 'right', 'tie']);
    assert.ok(pairs.every((p) => p.left.variant !== p.right.variant), 'each pair compares the two variants');
    await webview.waitFor('[data-view="blind"]', { textIncludes: 'No more pairs' });
  });

  test('suggest rewrites: they stream in, checked; one is repaired; accept one as a variant', async () => {
    const view = await api.services.suggestions.start(vscode.Uri.file(basePath()));
    assert.equal(view?.state, 'done');
    await webview.waitFor('[data-view="suggestions"] [data-critique]', { textIncludes: 'Buries the decision' });
    const cards = await webview.waitFor('[data-view="suggestions"] [data-suggestion-id]', { minCount: 4 });
    const status = Object.fromEntries(cards.map((c) => [c.attrs['data-technique'], c.attrs['data-status']]));
    assert.equal(status.fewshot, 'ok', 'few-shot from the best-rated answers');
    assert.equal(status.clarify, 'ok');
    assert.equal(status.format, 'repaired', 'the renamed variable was put back');
    assert.ok(cards.find((c) => c.attrs['data-technique'] === 'format')!.text.includes('renamed back'));
    await screenshot('suggestions');

    await webview.click('[data-suggestion-id][data-technique="clarify"] [data-action="accept"]');
    await workbench.waitFor('.quick-input-widget input', { visible: true });
    await workbench.press('Enter', '.quick-input-widget input');
    const variantPath = path.join(workspaceRoot(), 'summarize.clarify.prompt');
    // The file appears before its content is written: wait for the content.
    const written = await waitFor('the new variant file', () => existsSync(variantPath) && readFileSync(variantPath, 'utf8'));
    assert.match(written, /^---\nmodel: ollama\/llama3\.2/, 'the frontmatter is the parent’s');
    const lineage = await (await store()).lineage('summarize');
    const link = lineage.find((l) => l.variant === 'clarify');
    assert.equal(link?.parent, '');
    assert.equal(link?.technique, 'clarify');
    assert.ok(link?.suggestionId);
    await webview.waitFor('[data-suggestion-id][data-technique="clarify"]', { attr: { 'data-status': 'accepted' } });
  });

  test('Run A/B now: the new variant next to its parent, rated, and the score change', async () => {
    const finished = new Promise<void>((resolve) => {
      const sub = api.services.sweeps.onDidFinishSweep(() => {
        sub.dispose();
        resolve();
      });
    });
    await webview.click('[data-suggestion-id][data-technique="clarify"] [data-action="runProof"]');
    await finished;
    const sweep = api.services.sweeps.view!;
    assert.deepEqual(sweep.variants, ['', 'clarify']);
    assert.equal(sweep.cells.filter((c) => c.variant === '' && c.status === 'cached').length, 3, 'the parent’s rated answers come back from the cache');
    await webview.waitFor(`${cell('', 0)}[data-rating="2"]`, {}, 10_000);
    // clarify: 4, 3, 5 — case 2 was a 4 for the parent: a regression.
    await webview.focus(cell('clarify', 0));
    for (const key of ['4', 'ArrowDown', '3', 'ArrowDown', '5']) await webview.press(key);
    await waitFor('three ratings of clarify', async () => (await ratingsOf('clarify')).length === 3);
    await vscode.commands.executeCommand('promptLoop.showScores');
    const change = await webview.waitFor('[data-view="scores"] [data-score-change]', { textIncludes: 'clarify' });
    assert.match(change[0].text, /\+1\.7/);
    const regressions = await webview.waitFor('[data-view="scores"] [data-regressions]', {});
    assert.match(regressions[0].text, /case 2/);
    const scores = api.services.ratings.current.scores!;
    assert.equal(scores.change?.child, 'clarify');
    assert.equal(scores.regressions?.length, 1);
    await screenshot('score-change');
  });

  test('every control of every view has an accessible name', async () => {
    const controls = ':is(button, vscode-button, vscode-toolbar-button, input, textarea, select, a[href], [role=button], [role=checkbox], [role=tab], [tabindex="0"])';
    let checked = 0;
    const unnamed: string[] = [];
    for (const view of ['run', 'sweep', 'scores', 'blind', 'suggestions']) {
      const switcher = await webview.query(`[data-action="showView"][data-show-view="${view}"]`);
      if (switcher.length === 0) continue;
      await webview.click(`[data-action="showView"][data-show-view="${view}"]`);
      await webview.waitFor(`#root[data-active-view="${view}"]`, {});
      for (const el of await webview.query(`[data-view="${view}"] ${controls}`)) {
        if (!el.visible) continue;
        checked++;
        const a = el.attrs;
        const name = a['aria-label'] ?? a['aria-labelledby'] ?? a.title ?? a.label ?? (el.text.trim() || undefined);
        if (!name) unnamed.push(`${view}: <${el.tag} ${Object.entries(a).slice(0, 4).map(([k, v]) => `${k}="${v}"`).join(' ')}>`);
      }
    }
    console.log(`accessible names: ${checked} visible controls checked in the panel's views`);
    assert.ok(checked > 30, `only ${checked} controls found`);
    assert.deepEqual(unnamed, [], 'controls without an accessible name');
  });

  test('ratings and preference pairs export for fine-tuning', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'pairs.jsonl'));
    await vscode.commands.executeCommand('promptLoop.exportRatings', { kind: 'pairs', uri });
    const lines = readFileSync(uri.fsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: { role: string }[]; chosen: string; rejected: string; source: string });
    assert.ok(lines.length >= 5, `${lines.length} pairs`);
    assert.ok(lines.every((l) => l.prompt.length > 0 && l.chosen && l.rejected && l.chosen !== l.rejected));
    assert.deepEqual([...new Set(lines.map((l) => l.source))].sort(), ['blind', 'ratings']);
    const csv = vscode.Uri.file(path.join(workspaceRoot(), 'ratings.csv'));
    await vscode.commands.executeCommand('promptLoop.exportRatings', { kind: 'csv', uri: csv });
    assert.equal(readFileSync(csv.fsPath, 'utf8').trim().split('\r\n').length - 1, 9, 'one row per rated answer of summarize');
  });
});
