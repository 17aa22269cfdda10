import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

test('the .vsix holds only the built extension: no sources, tests, simulator, CLI or source maps', () => {
  const vsce = path.join(repoRoot, 'node_modules/@vscode/vsce/vsce');
  const result = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const files = result.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  assert.deepEqual(files, [
    'LICENSE',
    'README.md',
    'dist/extension.js',
    'dist/webview/codicon.css',
    'dist/webview/codicon.ttf',
    'dist/webview/panel.css',
    'dist/webview/panel.js',
    'media/icon.png',
    'media/language/dotprompt.tmLanguage.json',
    'media/language/language-configuration.json',
    'media/language/snippets.json',
    'media/prompt-file.svg',
    'package.json',
  ]);
});
