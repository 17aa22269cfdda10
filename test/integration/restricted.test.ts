/**
 * Phase 3: a VS Code with workspace trust on, and a folder (not trusted) whose own
 * settings name an Ollama host. The extension runs in limited mode: the folder's
 * host is not used, prompts go to the user's host, and the user is told why.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLoopApi } from '../../src/extension';
import { startSimulator } from '../../tools/simulator/server';
import { config, waitFor, workspaceRoot } from './helpers';
import { notificationMessages } from './uiBridge';

suite('Restricted Mode', () => {
  test('an untrusted folder cannot choose the Ollama host; the user is told, and runs go to the user’s host', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the folder opened untrusted');
    const api = await vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!.activate();
    const told = await waitFor('the Restricted Mode message', async () => (await notificationMessages()).find((m) => /Restricted Mode/.test(m)), 20_000);
    assert.match(told, /promptLoop\.ollamaHost/);

    const mine = await startSimulator({ port: 0, timeScale: 0.01 });
    const theirs = await startSimulator({ port: 0, timeScale: 0.01 });
    try {
      // The folder names `theirs`; the user's own settings name `mine`.
      await config().update('ollamaHost', theirs.url, vscode.ConfigurationTarget.Workspace);
      await config().update('ollamaHost', mine.url, vscode.ConfigurationTarget.Global);
      assert.equal(api.services.ollama.host, mine.url);
      const document = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'classify-ticket.prompt'));
      const run = await api.services.runs.run(document, { models: ['llama3.2'] });
      assert.equal(run?.answers[0].status, 'done');
      assert.equal(mine.stats.requests.byEndpoint['/api/chat'], 1, 'the run went to the user’s host');
      const sweep = await api.services.sweeps.run(document.uri, { variants: [''], models: ['llama3.2'], cases: [0, 1], temperatures: [], seeds: [], repeats: 1, skipConfirm: true });
      assert.equal(sweep?.cells.filter((c) => c.status === 'done').length, 2);
      assert.equal(theirs.stats.requests.total, 0, 'nothing was sent to the host the folder named');
    } finally {
      await config().update('ollamaHost', undefined, vscode.ConfigurationTarget.Global);
      await mine.close();
      await theirs.close();
    }
  });
});
