/**
 * Variants and sweeps as a user lives them in a real VS Code: a new variant from
 * the command palette, a sweep of 2 variants × 2 models × 3 cases through the
 * quick picks, the grid filling in, a cancel midway, an edit that re-runs only
 * its variant's cells, the comparison of two variants, an export to CSV.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLoopApi } from '../../src/extension';
import { parseCases } from '../../src/core/cases';
import { startSimulator } from '../../tools/simulator/server';
import { config, waitFor, workspaceRoot } from './helpers';
import { answerQuickInput, runFromPalette, screenshot, webview, workbench } from './uiBridge';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

const chatRequests = (sim: Simulator) => sim.stats.requests.byEndpoint['/api/chat'] ?? 0;


const gridCells = '[data-view="sweep"] [data-cell-key]';

suite('Variants and sweeps', () => {
  let sim: Simulator;
  let api: PromptLoopApi;
  const basePath = () => path.join(workspaceRoot(), 'summarize.prompt');
  const concisePath = () => path.join(workspaceRoot(), 'summarize.concise.prompt');

  suiteSetup(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.05 });
    await config().update('ollamaHost', sim.url, vscode.ConfigurationTarget.Workspace);
    await config().update('models', ['llama3.2', 'qwen2.5:7b'], vscode.ConfigurationTarget.Workspace);
    api = await vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!.activate();
  });

  suiteTeardown(async () => {
    await config().update('models', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('ollamaHost', undefined, vscode.ConfigurationTarget.Workspace);
    await sim.close();
  });

  test('New Variant from the command palette copies the prompt and opens it', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(basePath()), vscode.ViewColumn.One);
    await runFromPalette('Prompt Loop: New Variant');
    // A bad name is refused in place, with the reason.
    await workbench.waitFor('.quick-input-widget input', { visible: true });
    await workbench.type('two words', '.quick-input-widget input');
    await workbench.waitFor('.quick-input-widget .quick-input-message', { textIncludes: 'instead of spaces' });
    await answerQuickInput('concise');
    await waitFor('the variant file to open', () => vscode.window.activeTextEditor?.document.uri.fsPath === concisePath());
    assert.equal(readFileSync(concisePath(), 'utf8'), editor.document.getText());
    // Make it a real variant: one sentence instead of bullet points.
    const variant = vscode.window.activeTextEditor!;
    const text = variant.document.getText();
    const at = text.indexOf('in at most {{maxBullets}} bullet points');
    assert.ok(at > 0, 'the sample prompt has the sentence this test edits');
    await variant.edit((edit) => edit.replace(new vscode.Range(variant.document.positionAt(at), variant.document.positionAt(at + 'in at most {{maxBullets}} bullet points'.length)), 'in one sentence'));
    await variant.document.save();
    const family = await api.services.families.familyOf(vscode.Uri.file(basePath()));
    assert.deepEqual(family?.variants.map((v) => v.variant), ['', 'concise']);
    // The Prompt Families view in the Explorer lists the variant.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await workbench.waitFor('.monaco-list-row', { textIncludes: 'concise' }, 15_000);
  });

  test('a sweep through the quick picks fills the grid: 2 variants × 2 models × 3 cases', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(basePath()), vscode.ViewColumn.One);
    const before = chatRequests(sim);
    await runFromPalette('Prompt Loop: Run Variant Sweep');
    // Steps 1–3 come with everything picked (all variants, the selected models, all cases): accept them.
    for (const step of ['1/4', '2/4', '3/4']) {
      await workbench.waitFor('.quick-input-widget .quick-input-title', { textIncludes: step });
      await workbench.press('Enter', '.quick-input-widget input');
    }
    const start = await workbench.waitFor('.quick-input-widget .monaco-list-row', { textIncludes: 'Start sweep: 12 cells' });
    assert.match(start[0].text, /2 variants × 2 models × 3 cases/);
    assert.match(start[0].text, /12 requests, about/);
    await screenshot('sweep-confirm');
    await workbench.press('Enter', '.quick-input-widget input');

    await webview.waitFor('[data-sweep-progress]', { textIncludes: '12 of 12' }, 60_000);
    assert.equal(chatRequests(sim) - before, 12, 'one request per cell');
    // The grid is virtualised: it says its size, and every cell it draws is done.
    const grid = await webview.waitFor('[data-view="sweep"] [role=grid]', {});
    assert.equal(grid[0].attrs['aria-colcount'], String(1 + 4), 'the case column + 2 variants × 2 models');
    const drawn = await webview.query(gridCells);
    assert.ok(drawn.length >= 4, `at least the first row is drawn (${drawn.length} cells)`);
    assert.ok(drawn.every((c) => c.attrs['data-status'] === 'done'), drawn.map((c) => c.attrs['data-status']).join(','));
    const sweep = api.services.sweeps.view!;
    assert.deepEqual(sweep.models, ['llama3.2', 'qwen2.5:7b']);
    assert.deepEqual(sweep.variants, ['', 'concise']);
    assert.equal(sweep.state, 'finished');
    assert.ok(sweep.cells.every((c) => c.text.length > 0 && c.metrics?.totalMs !== undefined));
    await screenshot('sweep-grid');
    // The keyboard reaches a cell's full answer.
    await webview.focus(`${gridCells} >> nth=0`);
    await webview.press('Enter');
    await webview.waitFor('[data-cell-detail] [data-detail-body]', { visible: true });
    await webview.press('Escape');
  });

  test('cancel midway keeps the finished cells; a re-run finishes only the rest', async () => {
    await sim.setFaults({ stall: [{ model: 'qwen2.5:7b', afterTokens: 5, ms: 30_000 }] });
    const running = vscode.commands.executeCommand('promptLoop.runSweep', vscode.Uri.file(basePath()), { seeds: [11], skipConfirm: true });
    try {
      // llama3.2 runs first (model by model); cancel while qwen2.5:7b stalls.
      await webview.waitFor(`${gridCells}[data-model="qwen2.5:7b"][data-status="running"]`, {}, 60_000);
      await webview.click('[data-action="cancelSweep"]');
      await running;
    } finally {
      await sim.setFaults({});
    }
    const sweep = api.services.sweeps.view!;
    assert.equal(sweep.state, 'cancelled');
    const llama = sweep.cells.filter((c) => c.model === 'llama3.2');
    assert.ok(llama.every((c) => c.status === 'done'), 'finished cells are kept');
    assert.ok(sweep.cells.filter((c) => c.model === 'qwen2.5:7b').every((c) => c.status === 'cancelled'));
    await webview.waitFor('[data-sweep-progress]', { textIncludes: '6 cancelled' });
    await screenshot('sweep-cancelled');

    const before = chatRequests(sim);
    await vscode.commands.executeCommand('promptLoop.runSweep', vscode.Uri.file(basePath()), { seeds: [11], skipConfirm: true });
    assert.equal(chatRequests(sim) - before, 6, 'only the cancelled cells are requested again');
    assert.equal(api.services.sweeps.view!.cells.filter((c) => c.status === 'cached').length, 6);
  });

  test('after editing one variant, Run again re-requests only its cells; the rest come from the cache', async () => {
    await vscode.commands.executeCommand('promptLoop.runSweep', vscode.Uri.file(basePath()), { skipConfirm: true, seeds: [] });
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(concisePath()), vscode.ViewColumn.One);
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((edit) => edit.insert(end, '\nKeep it under 25 words.\n'));
    await editor.document.save();
    const before = chatRequests(sim);
    const finished = new Promise<void>((resolve) => {
      const sub = api.services.sweeps.onDidFinishSweep(() => {
        sub.dispose();
        resolve();
      });
    });
    await webview.click('[data-action="rerunSweep"]');
    await finished;
    assert.equal(chatRequests(sim) - before, 6, 'only the edited variant’s 6 cells are requested');
    const view = api.services.sweeps.view!;
    assert.ok(view.cells.filter((c) => c.variant === '').every((c) => c.status === 'cached'), 'the unchanged base variant comes from the cache');
    assert.ok(view.cells.filter((c) => c.variant === 'concise').every((c) => c.status === 'done'));
    await webview.waitFor('[data-sweep-progress]', { textIncludes: '6 cached' });
    const drawn = await webview.waitFor(`${gridCells}[data-variant=""]`, { minCount: 1 });
    assert.ok(drawn.every((c) => c.attrs['data-status'] === 'cached'));
  });

  test('Compare Variants shows a word diff of what each sends, beside the diff editor', async () => {
    await vscode.commands.executeCommand('promptLoop.compareVariants', vscode.Uri.file(basePath()), vscode.Uri.file(concisePath()));
    const added = await webview.waitFor('[data-view="diff"] ins', { minCount: 1 });
    assert.ok(added.some((el) => /sentence|25/.test(el.text)), `added words: ${added.map((a) => a.text).join(' | ')}`);
    await webview.waitFor('[data-view="diff"] del', { minCount: 1 });
    const tab = await waitFor('the diff editor tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.fsPath === concisePath()),
    );
    assert.ok(tab);
    await screenshot('compare-variants');
  });

  test('Export Results writes the shown sweep as CSV', async () => {
    const target = vscode.Uri.file(path.join(workspaceRoot(), 'results.csv'));
    await vscode.commands.executeCommand('promptLoop.exportResults', { uri: target });
    // The file appears before its content is written: wait for all of it.
    const parsed = await waitFor('the CSV file', () => {
      const rows = existsSync(target.fsPath) ? parseCases(readFileSync(target.fsPath, 'utf8'), target.fsPath) : undefined;
      return rows && rows.cases.length === 12 ? rows : undefined;
    });
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.cases.length, 12);
    assert.ok(parsed.cases.every((row) => typeof row.input.text === 'string' && (row.input.text).length > 0));
    assert.deepEqual([...new Set(parsed.cases.map((row) => row.input.variant))].sort(), ['base', 'concise']);
  });

  test('Add Test Case appends the last run’s input; a case missing a variable gets a warning', async () => {
    const casesPath = path.join(workspaceRoot(), 'summarize.cases.yaml');
    const before = parseCases(readFileSync(casesPath, 'utf8'), casesPath).cases.length;
    const document = await vscode.workspace.openTextDocument(basePath());
    await api.services.runs.run(document, { input: { label: 'custom input', source: 'custom', input: { article: 'A short custom article about tides.', audience: 'a sailor' } }, models: ['llama3.2'] });
    await vscode.commands.executeCommand('promptLoop.addTestCase');
    const after = await waitFor('the new case', () => {
      const cases = parseCases(readFileSync(casesPath, 'utf8'), casesPath).cases;
      return cases.length === before + 1 ? cases : undefined;
    });
    assert.equal(after.at(-1)!.input.audience, 'a sailor');
    // A variant that needs a variable no case gives, and a case that is not a mapping: both flagged in the cases file.
    const concise = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(concisePath()));
    await concise.edit((edit) => edit.insert(new vscode.Position(concise.document.lineCount, 0), 'Answer the question {{question}}\n'));
    const cases = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(casesPath));
    await cases.edit((edit) => edit.insert(new vscode.Position(cases.document.lineCount, 0), '- just a line of text\n'));
    const diagnostics = await waitFor('case diagnostics', () => {
      const list = vscode.languages.getDiagnostics(cases.document.uri);
      return list.some((d) => /no value for "question", which summarize\.concise\.prompt needs/.test(d.message)) && list.some((d) => /not a mapping/.test(d.message)) ? list : undefined;
    });
    assert.equal(diagnostics.find((d) => /not a mapping/.test(d.message))!.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostics.find((d) => /"question"/.test(d.message))!.severity, vscode.DiagnosticSeverity.Warning);
    await screenshot('case-diagnostics');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.window.showTextDocument(concise.document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
