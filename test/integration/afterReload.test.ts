/**
 * Phase 2: the harness reloaded the window after phase 1 (a new extension host,
 * the same profile and workspace). What the user had must be there: the panel,
 * the last sweep (read back from the store) and its ratings.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PromptLoopApi } from '../../src/extension';
import { screenshot, webview } from './uiBridge';

suite('After a window reload', () => {
  test('the panel comes back with the last sweep and its ratings', async () => {
    const api = await vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!.activate();
    // The workbench revives the panel through its serializer when it saved its open editors
    // before the reload (the web workbench does not always manage to); otherwise a user opens
    // it again with Show Results. Either way the sweep and the scores come from the store.
    if (!(await webview.exists())) {
      await new Promise((r) => setTimeout(r, 5000));
      if (!(await webview.exists())) {
        console.log('    (the workbench did not revive the panel; opening it with Show Results)');
        await vscode.commands.executeCommand('promptLoop.showResults');
      }
    }
    await webview.waitFor('[data-action="showView"][data-show-view="scores"]', { visible: true }, 30_000);
    await webview.click('[data-action="showView"][data-show-view="sweep"]');
    const rated = await webview.waitFor('[data-view="sweep"] [data-cell-key][data-rating]', { minCount: 6 }, 10_000);
    assert.ok(rated.some((c) => c.attrs['data-variant'] === 'clarify'), 'the A/B sweep of the accepted rewrite');
    const sweep = api.services.sweeps.view!;
    assert.deepEqual(sweep.variants, ['', 'clarify']);
    assert.ok(sweep.cells.every((c) => c.text.length > 0), 'answers read back from the store');
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const ratings = await (await api.services.stores.forRoot(root)).ratings('summarize');
    assert.equal(ratings.length, 9);
    assert.ok(ratings.some((r) => r.comment === 'Buries the decision; too long.'));
    await screenshot('after-reload');
  });

  test('the CodeLens and the Prompt Families view show the variant scores', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri;
    const uri = vscode.Uri.joinPath(root, 'summarize.clarify.prompt');
    await vscode.window.showTextDocument(uri);
    const lenses = await waitForLenses(uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /^★ 4\.0 ± \d\.\d \(n = 3\)/.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /Suggest rewrites/.test(t)));
  });
});

async function waitForLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
    if (lenses.some((l) => l.command?.title.startsWith('★'))) return lenses;
    if (Date.now() > deadline) return lenses;
    await new Promise((r) => setTimeout(r, 200));
  }
}
