import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

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

test('translatable: every %key% of package.json has its English text, and the l10n bundle holds every l10n.t string of src/ and webview/', () => {
  const manifest = readFileSync(path.join(repoRoot, 'package.json'), 'utf8');
  const nls = JSON.parse(readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
  assert.ok(keys.length > 20);
  assert.deepEqual(keys.filter((k) => !(k in nls)), []);
  const out = mkdtempSync(path.join(os.tmpdir(), 'prompt-loop-l10n-'));
  // The same export as `npm run l10n`: the host's strings and the webview's, in one bundle.
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/@vscode/l10n-dev/dist/cli.js'), 'export', '-o', out, path.join(repoRoot, 'src'), path.join(repoRoot, 'webview')], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const fresh = JSON.parse(readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  const committed = JSON.parse(readFileSync(path.join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(Object.keys(fresh).filter((k) => !(k in committed)), [], 'run npm run l10n to add the new strings to l10n/bundle.l10n.json');
  const manifestScripts = (JSON.parse(manifest) as { scripts: Record<string, string> }).scripts;
  assert.match(manifestScripts.l10n, /\.\/src \.\/webview$/, 'npm run l10n exports src/ and webview/');
});

test('translatable webview: every l10n.t call of webview/ can be exported and runs after l10n.config', () => {
  const dir = path.join(repoRoot, 'webview');
  const problems: string[] = [];
  let calls = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const file = ts.createSourceFile(name, readFileSync(path.join(dir, name), 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node): string => `${name}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    for (const statement of file.statements) {
      // The exporter finds `l10n.t(…)` only through `import * as l10n from '@vscode/l10n'`.
      if (ts.isImportDeclaration(statement) && (statement.moduleSpecifier as ts.StringLiteral).text === '@vscode/l10n') {
        const bindings = statement.importClause?.namedBindings;
        if (!bindings || !ts.isNamespaceImport(bindings) || bindings.name.text !== 'l10n') problems.push(`${where(statement)}: import * as l10n from '@vscode/l10n'`);
      }
    }
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.expression.getText(file) === 'l10n.t') {
        calls++;
        const message = node.arguments[0];
        const literal = (n: ts.Node | undefined): boolean => n !== undefined && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n));
        const named = message && ts.isObjectLiteralExpression(message)
          ? message.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(file) === 'message')?.initializer
          : message;
        // A message the exporter cannot read (a variable, a template with ${…}) would never reach the bundle.
        if (!literal(named)) problems.push(`${where(node)}: the message of l10n.t must be a literal string`);
        // Module-level lookups run before main.ts configures l10n and would stay English.
        let scope: ts.Node | undefined = node.parent;
        while (scope && !ts.isFunctionLike(scope) && !(ts.isPropertyDeclaration(scope) && !scope.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword))) scope = scope.parent;
        if (!scope) problems.push(`${where(node)}: l10n.t runs at module load (before l10n.config): look it up in a function`);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  assert.deepEqual(problems, []);
  assert.ok(calls > 300, `webview/ looks its words up with l10n.t (${calls} calls)`);
});
