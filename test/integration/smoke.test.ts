/** The extension loads in a real VS Code and registers what package.json promises. */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { screenshot, uiBridgeAvailable, workbench } from './uiBridge';

const extensionId = 'promptloop.prompt-loop';

interface Manifest {
  contributes?: { commands?: { command: string }[] };
}

function promptLoop(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(extensionId);
  assert.ok(ext, `${extensionId} is not installed in this VS Code`);
  return ext;
}

suite('smoke', () => {
  test('the extension is present and activates', async () => {
    const ext = promptLoop();
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('every command in package.json is registered', async () => {
    const ext = promptLoop();
    await ext.activate();
    const contributed = ((ext.packageJSON as Manifest).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('the tests see the sample workspace', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, 'expected exactly one workspace folder (a copy of examples/)');
  });

  test('the UI bridge reaches the workbench', async function () {
    if (!uiBridgeAvailable()) this.skip();
    const shell = await workbench.waitFor('.monaco-workbench', { count: 1 });
    assert.equal(shell.length, 1);
    const file = await screenshot('smoke-workbench');
    assert.ok(existsSync(file), `screenshot not written at ${file}`);
  });

  test('UI bridge failures reach the test as rejections', async function () {
    if (!uiBridgeAvailable()) this.skip();
    await assert.rejects(workbench.click('#no-such-element', 500), /workbench\.click\("#no-such-element"\) failed: .*500ms/s);
  });
});
