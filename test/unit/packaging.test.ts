import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
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
    'l10n/bundle.l10n.json',
    'media/icon.png',
    'media/language/dotprompt.tmLanguage.json',
    'media/language/language-configuration.json',
    'media/language/snippets.json',
    'media/prompt-file.svg',
    'package.json',
    'package.nls.json',
  ]);
});

test('translatable: every %key% of package.json has its English text, and the l10n bundle holds every vscode.l10n.t string of src/', () => {
  const manifest = readFileSync(path.join(repoRoot, 'package.json'), 'utf8');
  const nls = JSON.parse(readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
  assert.ok(keys.length > 20);
  assert.deepEqual(keys.filter((k) => !(k in nls)), []);
  const out = mkdtempSync(path.join(os.tmpdir(), 'prompt-loop-l10n-'));
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/@vscode/l10n-dev/dist/cli.js'), 'export', '-o', out, path.join(repoRoot, 'src')], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const fresh = JSON.parse(readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  const committed = JSON.parse(readFileSync(path.join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(Object.keys(fresh).filter((k) => !(k in committed)), [], 'run npm run l10n to add the new strings to l10n/bundle.l10n.json');
});
