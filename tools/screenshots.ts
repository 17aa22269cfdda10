/**
 * `npm run screenshots`: the README's pictures, taken from the real VS Code by
 * the integration tests (nothing is mocked up). Runs the real-VS-Code suites
 * once per theme and copies the named screenshots to docs/screenshots/.
 *
 *   npm run screenshots                    dark, light and high contrast
 *   npm run screenshots -- dark            one theme
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const out = path.join(repoRoot, 'docs', 'screenshots');
const themes: Record<string, string> = { dark: 'Default Dark Modern', light: 'Default Light Modern', hc: 'Default High Contrast' };
/** The screenshots the README shows (names given by the tests' screenshot() calls). */
const wanted = ['diagnostics', 'run-two-models', 'sweep-confirm', 'sweep-grid', 'compare-variants', 'rated-grid', 'rating-comment', 'scores', 'blind', 'suggestions', 'score-change', 'server-unreachable'];

const chosen = process.argv.slice(2).filter((a) => a in themes);
mkdirSync(out, { recursive: true });
let failed = false;
for (const theme of chosen.length ? chosen : Object.keys(themes)) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `prompt-loop-shots-${theme}-`));
  console.log(`[screenshots] ${themes[theme]}: running the real-VS-Code tests`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/harness/runRealVscode.ts')], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, PROMPT_LOOP_SCREENSHOT_DIR: dir, PROMPT_LOOP_THEME: themes[theme], PROMPT_LOOP_SKIP_RELOAD: '1' },
  });
  if (result.status !== 0) {
    console.log(`[screenshots] the tests failed in ${theme}: screenshots may be missing or show a failure`);
    failed = true;
  }
  for (const name of wanted) {
    const file = path.join(dir, `${name}.png`);
    if (existsSync(file)) copyFileSync(file, path.join(out, `${name}-${theme}.png`));
    else console.log(`[screenshots] missing ${name} in ${theme}`);
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(`[screenshots] wrote ${path.relative(process.cwd(), out)}`);
process.exit(failed ? 1 : 0);
