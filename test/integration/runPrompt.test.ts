/**
 * The foundation, as a user lives it in a real VS Code: open a sample prompt, see
 * its problems, run it on two simulated models side by side, stop a run, and the
 * two failures a user meets first (server down, model not pulled).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLoopApi } from '../../src/extension';
import { startSimulator } from '../../tools/simulator/server';
import { config, waitFor, workspaceRoot } from './helpers';
import { clickNotificationButton, notificationMessages, screenshot, webview, workbench } from './uiBridge';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;



async function openPrompt(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), name));
  return vscode.window.showTextDocument(document, vscode.ViewColumn.One);
}

async function closeNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}

suite('Run a prompt side by side', () => {
  let sim: Simulator;
  let api: PromptLoopApi;

  suiteSetup(async () => {
    // Real-time-ish streaming, a bit faster: long enough to stop a run midway.
    sim = await startSimulator({ port: 0, timeScale: 0.2 });
    await config().update('ollamaHost', sim.url, vscode.ConfigurationTarget.Workspace);
    await config().update('models', ['llama3.2', 'qwen2.5:7b'], vscode.ConfigurationTarget.Workspace);
    const extension = vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!;
    api = await extension.activate();
  });

  suiteTeardown(async () => {
    await config().update('models', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('ollamaHost', undefined, vscode.ConfigurationTarget.Workspace);
    await sim.close();
  });

  test('activation is quick and reported', () => {
    assert.ok(api.activationMs >= 0 && api.activationMs < 5000, `activation took ${api.activationMs} ms`);
    console.log(`activation: ${api.activationMs.toFixed(1)} ms`);
  });

  test('problems appear as the user types', async () => {
    const editor = await openPrompt('summarize.prompt');
    // A clean sample has no errors or warnings.
    const clean = await waitFor('diagnostics of a clean prompt', () => {
      const list = vscode.languages.getDiagnostics(editor.document.uri);
      return list.filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning).length === 0 ? list : undefined;
    });
    assert.ok(clean);
    // Type an undefined variable and an unknown helper at the end of the body.
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((edit) => edit.insert(end, '\n{{tone}} {{shout article}}'));
    const problems = await waitFor('undefined-variable and unknown-helper', () => {
      const list = vscode.languages.getDiagnostics(editor.document.uri);
      const codes = list.map((d) => (typeof d.code === 'object' ? d.code.value : d.code));
      return codes.includes('undefined-variable') && codes.includes('unknown-helper') ? list : undefined;
    });
    const undefinedVar = problems.find((d) => d.code === 'undefined-variable')!;
    assert.equal(undefinedVar.range.start.line, editor.document.lineCount - 1);
    assert.match(undefinedVar.message, /tone/);
    await screenshot('diagnostics');
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('a model the server does not have is flagged in the frontmatter', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'dotprompt', content: '---\nmodel: ollama/no-such-model\n---\nHello\n' });
    await vscode.window.showTextDocument(document);
    const problem = await waitFor('unknown-model', () => vscode.languages.getDiagnostics(document.uri).find((d) => d.code === 'unknown-model'));
    assert.equal(problem.range.start.line, 1);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Run streams both models into the panel with metrics', async () => {
    const editor = await openPrompt('summarize.prompt');
    const before = sim.stats.requests.byEndpoint['/api/chat'] ?? 0;
    await vscode.commands.executeCommand('promptLoop.runPrompt', editor.document.uri);
    const columns = await webview.waitFor('[data-model][data-status="done"]', { count: 2 }, 30_000);
    assert.deepEqual(columns.map((c) => c.attrs['data-model']).sort(), ['llama3.2', 'qwen2.5:7b']);
    const bodies = await webview.query('[data-model] .answer-body');
    assert.equal(bodies.length, 2);
    assert.ok(bodies.every((b) => b.text.trim().length > 20), 'both answers have text');
    assert.notEqual(bodies[0].text, bodies[1].text, 'different models answer differently');
    for (const metric of ['ttft', 'tps', 'promptTokens', 'answerTokens', 'load']) {
      const cells = await webview.query(`[data-model] .metrics [data-metric="${metric}"]`);
      assert.equal(cells.length, 2, `metric ${metric} under both answers`);
      assert.match(cells[0].text, /\d/, `metric ${metric} shows a number`);
    }
    assert.equal((sim.stats.requests.byEndpoint['/api/chat'] ?? 0) - before, 2, 'one chat request per model');
    const run = api.services.runs.currentRun!;
    assert.deepEqual(run.answers.map((a) => a.status), ['done', 'done']);
    assert.ok(run.messages.some((m) => m.role === 'system' && m.content.includes('factual and neutral')), 'the partial _tone.prompt was rendered');
    await screenshot('run-two-models');
  });

  test('the answers can be walked with the keyboard', async () => {
    await webview.focus('[data-model="llama3.2"]');
    await webview.press('ArrowRight');
    const active = await webview.activeElement();
    assert.equal(active.attrs['data-model'], 'qwen2.5:7b');
  });

  test('Stop ends every stream and keeps the partial answers', async () => {
    const editor = await openPrompt('summarize.prompt');
    await sim.setFaults({ stall: [{ afterTokens: 15, ms: 20_000 }] });
    try {
      const running = vscode.commands.executeCommand('promptLoop.runPrompt', editor.document.uri);
      await webview.waitFor('[data-model][data-status="streaming"]', { minCount: 1 }, 20_000);
      await webview.click('[data-action="stop"]');
      await running;
      const stopped = await webview.waitFor('[data-model][data-status="stopped"]', { count: 2 }, 10_000);
      assert.equal(stopped.length, 2);
      const run = api.services.runs.currentRun!;
      assert.ok(run.answers.some((a) => a.status === 'stopped' && a.text.length > 0), 'a partial answer is kept');
    } finally {
      await sim.setFaults({});
    }
  });

  test('a model that is not installed offers Pull, and pulling it works', async () => {
    await closeNotifications();
    const editor = await openPrompt('classify-ticket.prompt');
    await vscode.commands.executeCommand('promptLoop.runPrompt', editor.document.uri, { models: ['mistral'] });
    await webview.waitFor('[data-model="mistral"][data-status="failed"]', {}, 15_000);
    const message = await waitFor('the not-installed notification', async () => (await notificationMessages()).find((m) => m.includes('not installed')));
    assert.match(message, /mistral/);
    await screenshot('model-missing');
    await clickNotificationButton('not installed', 'Pull mistral');
    await waitFor('mistral to be installed', async () => (await api.services.ollama.models({ refresh: true })).some((m) => m.name.startsWith('mistral')), 30_000);
    await closeNotifications();
  });

  test('a server that is not running says where it looked, with Retry and Open Settings', async () => {
    await closeNotifications();
    await config().update('ollamaHost', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Workspace);
    try {
      const editor = await openPrompt('classify-ticket.prompt');
      await vscode.commands.executeCommand('promptLoop.runPrompt', editor.document.uri);
      const failed = await webview.waitFor('[data-status="failed"]', { minCount: 2 }, 15_000);
      assert.ok(failed.length >= 2);
      await vscode.commands.executeCommand('notifications.showList');
      const item = await workbench.waitFor('.notifications-center .notification-list-item', { textIncludes: '127.0.0.1:9' }, 10_000);
      assert.match(item[0].text, /not reachable/);
      const buttons = await workbench.query('.notifications-center .notification-list-item .monaco-button');
      const labels = buttons.map((b) => b.text.trim());
      assert.ok(labels.includes('Retry') && labels.includes('Open Settings'), `buttons: ${labels.join(', ')}`);
      await screenshot('server-unreachable');
      await vscode.commands.executeCommand('notifications.hideList');
    } finally {
      await config().update('ollamaHost', sim.url, vscode.ConfigurationTarget.Workspace);
      await closeNotifications();
    }
  });
});
