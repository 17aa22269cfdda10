import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { commandIds } from '../../src/commandIds';
import { explicitSetting } from '../../src/core/ollamaClient';

interface Manifest {
  name: string;
  publisher: string;
  contributes: { commands: { command: string; category: string }[]; configuration: { properties: Record<string, unknown> } };
}

const nls = JSON.parse(readFileSync(path.join(__dirname, '../../package.nls.json'), 'utf8')) as Record<string, string>;
/** package.json with its %key% placeholders replaced by their English text. */
const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8').replace(/"%([^%"]+)%"/g, (_, key: string) => JSON.stringify(nls[key] ?? `%${key}%`))) as Manifest;

test('the command ids in package.json are exactly the ones registered in code', () => {
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(declared, Object.values(commandIds).sort());
  for (const command of manifest.contributes.commands) assert.equal(command.category, 'Prompt Loop');
});

test('public names stay stable', () => {
  assert.equal(manifest.publisher, 'promptloop');
  assert.equal(manifest.name, 'prompt-loop');
  for (const key of ['promptLoop.ollamaHost', 'promptLoop.models', 'promptLoop.parallelRequests', 'promptLoop.optimizerModel']) {
    assert.ok(key in manifest.contributes.configuration.properties, key);
  }
});

test('restricted mode: declared limited, and a folder cannot choose the host or the store before it is trusted', () => {
  const capabilities = (manifest as unknown as { capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[]; description: string } } }).capabilities.untrustedWorkspaces;
  assert.equal(capabilities.supported, 'limited');
  assert.deepEqual(capabilities.restrictedConfigurations.sort(), ['promptLoop.ollamaHost', 'promptLoop.ollamaHosts', 'promptLoop.storePath']);
  assert.match(capabilities.description, /Restricted Mode/);
  const values = { globalValue: 'http://mine:11434', workspaceValue: 'http://theirs:11434' };
  assert.equal(explicitSetting(values, true), 'http://theirs:11434');
  assert.equal(explicitSetting(values, false), 'http://mine:11434');
  assert.equal(explicitSetting({ workspaceFolderValue: 'x' }, false), undefined);
});
