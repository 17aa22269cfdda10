/**
 * Preview and smoke test of the Prompt Loop panel outside VS Code.
 *
 *   node --import tsx tools/webview-preview/shoot.ts [--keep-open] [--only run|sweep|feedback]
 *
 * Builds the webview bundle, serves it with the real panel HTML (same CSP) plus a
 * fake `acquireVsCodeApi` and hand-picked theme variables, replays scripted
 * protocol traffic in Debian's Chromium, writes screenshots for the dark, light
 * and high-contrast themes to /tmp/webview-preview/, and asserts what must hold:
 * no CSP violation, hostile answers stay text, keyboard and protocol behaviour;
 * then the same for sweeps and the variant diff (sweepTour.ts), with the first
 * render and longest task of a 10,000-cell sweep measured and printed; then
 * ratings, scores, blind A/B and suggested rewrites (feedbackTour.ts); then the
 * panel with a small German bundle in the page, as the host embeds
 * `vscode.l10n.bundle` (translation()).
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { AnswerChunk, HostToWebview } from '../../src/core/protocol';
import { panelHtml } from '../../src/panel/panelHtml';
import {
  finishedFirstRun, firstRun, gemmaPartial, hostileRun, hostileText, largeRun, llamaText, metrics, qwenText, qwenThinking, secondRun, splitIntoChunks,
} from './scenario';
import { feedbackBehaviour, feedbackTour } from './feedbackTour';
import { sweepBehaviour, sweepTour, type PreviewTools } from './sweepTour';
import { bodyClass, themeCss, themeNames, type ThemeName } from './themes';

const repoRoot = resolve(__dirname, '../..');
const outDir = '/tmp/webview-preview';
const siteDir = join(outDir, 'site');
const chromiumPath = '/usr/bin/chromium';
const nonce = 'cHJvbXB0LWxvb3AtcHJldmlldw';

// ---------- build and serve ----------

async function buildSite(): Promise<void> {
  mkdirSync(siteDir, { recursive: true });
  await build({
    entryPoints: [join(repoRoot, 'webview/main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    outfile: join(siteDir, 'panel.js'),
    logLevel: 'warning',
  });
  copyFileSync(join(repoRoot, 'webview/panel.css'), join(siteDir, 'panel.css'));
  copyFileSync(join(repoRoot, 'node_modules/@vscode/codicons/dist/codicon.css'), join(siteDir, 'codicon.css'));
  copyFileSync(join(repoRoot, 'node_modules/@vscode/codicons/dist/codicon.ttf'), join(siteDir, 'codicon.ttf'));
}

/** Stands in for VS Code: records posts, keeps setState in sessionStorage, throws on a second acquire. */
const fakeVscodeScript = `(() => {
  const theme = new URLSearchParams(location.search).get('theme') || 'dark';
  const classes = ${JSON.stringify(bodyClass)};
  document.body.classList.add(classes[theme] || 'vscode-dark');
  document.body.dataset.vscodeThemeKind = classes[theme] || 'vscode-dark';
  window.__posted = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
  });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (message) => { window.__posted.push(JSON.parse(JSON.stringify(message))); },
      getState: () => { const s = sessionStorage.getItem('vscodeState'); return s ? JSON.parse(s) : undefined; },
      setState: (state) => { sessionStorage.setItem('vscodeState', JSON.stringify(state)); return state; },
    });
  };
})();`;

/**
 * A few of the webview's words in German, as `vscode.l10n.bundle` gives them to the
 * host with VS Code's display language set to German (`?lang=de`). One sentence
 * puts its two parts (a key, a bold word) the other way round.
 */
const germanBundle: Readonly<Record<string, string>> = {
  'Connecting to Prompt Loop…': 'Verbindung zu Prompt Loop wird hergestellt…',
  'Run again': 'Erneut ausführen',
  Run: 'Ausführen',
  'No run yet': 'Noch kein Lauf',
  'Open a .prompt file and press Run ({0}) or click {1} above the prompt.': 'Klicke über dem Prompt auf {1} oder drücke {0} in einer .prompt-Datei.',
  '{0} of {1} finished': '{0} von {1} fertig',
  done: 'fertig',
  'Answer from {0}': 'Antwort von {0}',
  'Stream cut — partial answer kept': 'Stream abgebrochen — Teilantwort behalten',
};

function pageHtml(origin: string, theme: ThemeName, german = false): string {
  const html = panelHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/panel.js`,
    styleUris: [`${origin}/theme-${theme}.css`, `${origin}/panel.css`],
    codiconUri: `${origin}/codicon.css`,
    ...(german ? { l10nBundle: germanBundle, language: 'de' } : {}),
  });
  // The fake API must exist before the panel script runs; it gets the same nonce.
  return html.replace('<script nonce', `<script nonce="${nonce}" src="${origin}/fake-vscode.js"></script>\n    <script nonce`);
}

function serve(): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { js: 'text/javascript', css: 'text/css', ttf: 'font/ttf', html: 'text/html' };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = `http://${req.headers.host ?? 'localhost'}`;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      res.end(body);
    };
    const themeMatch = /^\/theme-(dark|light|high-contrast)\.css$/.exec(url.pathname);
    if (url.pathname === '/') {
      const theme = (url.searchParams.get('theme') ?? 'dark') as ThemeName;
      send(200, types.html, pageHtml(origin, themeNames.includes(theme) ? theme : 'dark', url.searchParams.get('lang') === 'de'));
    } else if (url.pathname === '/favicon.ico') {
      // Chromium asks once per browser; a 404 would be a console error for whichever page came first.
      res.writeHead(204, { 'cache-control': 'no-store' });
      res.end();
    } else if (url.pathname === '/fake-vscode.js') {
      send(200, types.js, fakeVscodeScript);
    } else if (themeMatch) {
      send(200, types.css, themeCss(themeMatch[1] as ThemeName));
    } else if (['/panel.js', '/panel.css', '/codicon.css', '/codicon.ttf'].includes(url.pathname)) {
      const ext = url.pathname.split('.').pop() ?? 'txt';
      send(200, types[ext] ?? 'application/octet-stream', readFileSync(join(siteDir, url.pathname.slice(1))));
    } else {
      send(404, 'text/plain', 'not found');
    }
  });
  return new Promise((resolvePromise) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

// ---------- helpers ----------

const failures: string[] = [];

function check(condition: boolean, what: string): void {
  if (condition) console.log(`  ok   ${what}`);
  else {
    console.log(`  FAIL ${what}`);
    failures.push(what);
  }
}

async function send(page: Page, message: HostToWebview): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, target: string): void }).postMessage(m, '*'), message);
}

interface Posted {
  type: string;
  requestId: number;
  [key: string]: unknown;
}

async function posted(page: Page): Promise<Posted[]> {
  return await page.evaluate<Posted[]>('window.__posted');
}

async function frames(page: Page, n = 2): Promise<void> {
  for (let i = 0; i < n; i++) await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(undefined)))');
}

async function shot(page: Page, theme: ThemeName, name: string): Promise<void> {
  await frames(page);
  // Let Markdown's throttled re-parse and fonts settle before the picture.
  await page.waitForTimeout(150);
  const path = join(outDir, `${theme}-${name}.png`);
  await page.screenshot({ path });
  console.log(`  shot ${path}`);
  if (process.env.PREVIEW_DUMP_STRINGS) writeFileSync(path.replace(/\.png$/, '.txt'), await visibleStrings(page));
}

/**
 * Every string the panel shows or names (text, titles, labels, placeholders), in
 * document order: with PREVIEW_DUMP_STRINGS=1 it is written beside each screenshot,
 * to compare the wording of two builds (e.g. before and after a translation change).
 */
async function visibleStrings(page: Page): Promise<string> {
  return await page.evaluate<string>(`(() => {
    const names = ['title', 'aria-label', 'placeholder', 'label', 'aria-valuetext'];
    const out = [];
    const walk = (node) => {
      if (node.nodeType === 3) { if (node.data.trim() !== '') out.push('text: ' + node.data); return; }
      if (node.nodeType !== 1) return;
      for (const name of names) if (node.hasAttribute(name)) out.push(name + ': ' + node.getAttribute(name));
      for (const child of node.childNodes) walk(child);
    };
    walk(document.getElementById('root'));
    return out.join('\\n');
  })()`);
}

async function open(page: Page, origin: string, theme: ThemeName): Promise<void> {
  await page.goto(`${origin}/?theme=${theme}`);
  await page.waitForFunction('window.__posted && window.__posted.length > 0');
  await page.evaluate('document.fonts.ready');
}

/** Streams answers interleaved, a few words per `chunks` message, like the host's coalescer. */
class Streamer {
  private readonly queues: { answerId: string; thinking: string[]; text: string[] }[];

  constructor(private readonly runId: string, parts: { answerId: string; text?: string; thinking?: string }[]) {
    this.queues = parts.map((p) => ({
      answerId: p.answerId,
      thinking: p.thinking ? splitIntoChunks(p.thinking, 6) : [],
      text: p.text ? splitIntoChunks(p.text, 4) : [],
    }));
  }

  get steps(): number {
    return Math.max(...this.queues.map((q) => q.thinking.length + q.text.length));
  }

  /** Sends up to `steps` messages (all that is left by default). */
  async advance(page: Page, steps = Infinity): Promise<void> {
    for (let i = 0; i < steps; i++) {
      const chunks = this.queues.flatMap((q): AnswerChunk[] => {
        if (q.thinking.length > 0) return [{ answerId: q.answerId, thinking: q.thinking.shift() }];
        if (q.text.length > 0) return [{ answerId: q.answerId, text: q.text.shift() }];
        return [];
      });
      if (chunks.length === 0) return;
      await send(page, { type: 'chunks', runId: this.runId, chunks });
      if (i % 4 === 0) await frames(page, 1);
    }
  }
}

async function stream(page: Page, runId: string, parts: { answerId: string; text?: string; thinking?: string }[]): Promise<void> {
  await new Streamer(runId, parts).advance(page);
}

// ---------- the visual tour (every theme) ----------

async function tour(page: Page, origin: string, theme: ThemeName): Promise<void> {
  console.log(`\n[${theme}]`);
  await open(page, origin, theme);
  await send(page, { type: 'state', state: { running: false } });
  await shot(page, theme, '1-empty');

  const run = firstRun();
  const id = run.runId;
  await send(page, { type: 'runStarted', run });
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a1', status: 'loading' });
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a3', status: 'loading' });
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a1', status: 'streaming', metrics: { ttftMs: metrics.llama.ttftMs } });
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a3', status: 'streaming', metrics: { ttftMs: metrics.gemma.ttftMs } });
  const first = new Streamer(id, [{ answerId: 'a1', text: llamaText }, { answerId: 'a3', text: gemmaPartial }]);
  await first.advance(page, Math.ceil(first.steps * 0.6));
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a2', status: 'loading' });
  await shot(page, theme, '2-streaming');

  await first.advance(page);
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a1', status: 'done', metrics: metrics.llama });
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a3', status: 'failed', error: { kind: 'cut', message: 'connection reset after 212 tokens (no done:true from Ollama)' }, metrics: metrics.gemma });
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a2', status: 'streaming', metrics: { ttftMs: metrics.qwen.ttftMs } });
  await stream(page, id, [{ answerId: 'a2', thinking: qwenThinking, text: qwenText }]);
  await send(page, { type: 'answerUpdated', runId: id, answerId: 'a2', status: 'done', metrics: metrics.qwen });
  await send(page, { type: 'runFinished', runId: id });
  await shot(page, theme, '3-finished');

  await page.click('vscode-button[data-action="toggleMessages"]');
  await shot(page, theme, '4-messages');
  await page.click('vscode-button[data-action="toggleMessages"]');

  const second = secondRun();
  await send(page, { type: 'runStarted', run: second, previousRun: finishedFirstRun() });
  await send(page, { type: 'answerUpdated', runId: second.runId, answerId: 'b1', status: 'loading' });
  await send(page, { type: 'answerUpdated', runId: second.runId, answerId: 'b3', status: 'loading' });
  await shot(page, theme, '5-rerun-previous');
  await send(page, { type: 'answerUpdated', runId: second.runId, answerId: 'b1', status: 'streaming', metrics: { ttftMs: 380 } });
  const again = new Streamer(second.runId, [{ answerId: 'b1', text: llamaText }]);
  await again.advance(page, Math.ceil(again.steps * 0.3));
  // Focus by keyboard, as a user would, so the focus ring shows.
  await page.focus('article.answer[data-model="qwen3:8b"]');
  await page.keyboard.press('ArrowLeft');
  await shot(page, theme, '6-rerun-streaming');
}

// ---------- behaviour checks (dark theme) ----------

async function behaviour(page: Page, origin: string): Promise<void> {
  console.log('\n[behaviour]');
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await open(page, origin, 'dark');

  let messages = await posted(page);
  check(messages.length === 1 && messages[0].type === 'ready' && Number.isInteger(messages[0].requestId), 'posts {type:"ready", requestId} first and only');

  // Streaming through the real protocol.
  const run = firstRun();
  await send(page, { type: 'state', state: { running: false } });
  await send(page, { type: 'runStarted', run });
  check((await page.locator('article.answer').count()) === 3, 'one column per model');
  check((await page.locator('vscode-button[data-action="stop"]').isVisible()), 'Stop is visible while running');
  for (const [id, m] of [['a1', metrics.llama], ['a2', metrics.qwen]] as const) {
    await send(page, { type: 'answerUpdated', runId: run.runId, answerId: id, status: 'streaming', metrics: { ttftMs: m.ttftMs } });
  }
  await send(page, { type: 'answerUpdated', runId: run.runId, answerId: 'a3', status: 'streaming' });
  await stream(page, run.runId, [{ answerId: 'a1', text: llamaText }, { answerId: 'a2', thinking: qwenThinking, text: qwenText }, { answerId: 'a3', text: gemmaPartial }]);
  await send(page, { type: 'answerUpdated', runId: run.runId, answerId: 'a1', status: 'done', metrics: metrics.llama });
  await send(page, { type: 'answerUpdated', runId: run.runId, answerId: 'a2', status: 'done', metrics: metrics.qwen });
  await send(page, { type: 'answerUpdated', runId: run.runId, answerId: 'a3', status: 'failed', error: { kind: 'cut', message: 'connection reset' }, metrics: metrics.gemma });
  await send(page, { type: 'runFinished', runId: run.runId });
  await frames(page, 3);

  const llama = page.locator('article.answer[data-model="llama3.2"]');
  check((await llama.getAttribute('data-status')) === 'done', 'data-status="done" on a finished column');
  check((await llama.getAttribute('aria-label')) === 'Answer from llama3.2' && (await llama.getAttribute('role')) === 'article' && (await llama.getAttribute('tabindex')) === '0', 'column is a focusable article named "Answer from MODEL"');
  check((await llama.locator('.answer-body h2').textContent()) === 'Summary', 'Markdown heading rendered from streamed chunks');
  check((await llama.locator('.answer-body table td').count()) === 6, 'Markdown table rendered');
  check((await llama.locator('.metrics [data-metric="ttft"]').getAttribute('data-value')) === '412', 'metrics expose data-value (ttft)');
  check((await llama.locator('.metrics [data-metric="tps"]').textContent()) === '48.3 tok/s', 'tokens/s formatted');
  check((await llama.locator('.metrics [data-metric="total"]').textContent()) === 'total4.3 s', 'total time formatted');
  const gemma = page.locator('article.answer[data-model="gemma3:4b"]');
  check((await gemma.getAttribute('data-status')) === 'failed', 'cut stream marks the column failed');
  check(((await gemma.locator('.answer-error').textContent()) ?? '').includes('Stream cut — partial answer kept'), 'cut stream says "stream cut — partial answer kept"');
  check(((await gemma.locator('.answer-body').textContent()) ?? '').includes('Privacy'), 'partial text of the failed answer is kept');
  const qwen = page.locator('article.answer[data-model="qwen3:8b"]');
  check((await qwen.locator('details.thinking').getAttribute('open')) === null && ((await qwen.locator('.thinking-body').textContent()) ?? '') === qwenThinking, 'thinking is kept in a collapsed <details>');
  check(!(await page.locator('vscode-button[data-action="stop"]').isVisible()), 'Stop is hidden after runFinished');
  check(((await page.locator('[aria-live="polite"]').textContent()) ?? '').length > 0, 'live region announces status changes');

  // Keyboard.
  await llama.focus();
  await page.keyboard.press('ArrowRight');
  check((await page.evaluate('document.activeElement.dataset.model')) === 'qwen3:8b', 'ArrowRight moves focus to the next column');
  await page.keyboard.press('End');
  check((await page.evaluate('document.activeElement.dataset.model')) === 'gemma3:4b', 'End moves focus to the last column');
  await page.keyboard.press('h');
  await page.keyboard.press('Home');
  check((await page.evaluate('document.activeElement.dataset.model')) === 'llama3.2', 'h / Home move focus back');
  await page.keyboard.press('r');
  await frames(page);
  check((await llama.locator('.answer-body').getAttribute('data-view')) === 'raw' && ((await llama.locator('.answer-body').textContent()) ?? '').startsWith('## Summary'), 'r shows the raw text');
  await page.keyboard.press('c');
  messages = await posted(page);
  const copy = messages[messages.length - 1];
  check(copy.type === 'copyAnswer' && copy.runId === 'run-1' && copy.answerId === 'a1', 'c posts copyAnswer for the focused answer');
  await send(page, { type: 'reply', requestId: copy.requestId, ok: false, error: 'clipboard unavailable' });
  await frames(page);
  check(((await page.locator('.status-line').textContent()) ?? '').includes('clipboard unavailable'), 'an error reply shows in the inline status line');
  await shot(page, 'dark', '9-reply-error');

  // Links go to the host, never navigate.
  await page.keyboard.press('r');
  await frames(page);
  const before = page.url();
  await llama.locator('.answer-body .md-link').first().click();
  messages = await posted(page);
  const link = messages[messages.length - 1];
  check(link.type === 'openLink' && link.href === 'https://github.com/ollama/ollama/blob/main/docs/api.md' && page.url() === before, 'a link click posts openLink and does not navigate');

  // Buttons.
  await page.click('vscode-button[data-action="selectModels"]');
  await page.click('vscode-button[data-action="toggleMessages"]');
  await page.click('vscode-button[data-action="showRenderedPrompt"]');
  messages = await posted(page);
  check(messages.slice(-2).map((m) => m.type).join(',') === 'selectModels,showRenderedPrompt' && messages[messages.length - 1].runId === 'run-1', 'Models… and Open rendered prompt post their messages');
  check(((await page.locator('.messages-view').textContent()) ?? '').includes('never invent numbers'), 'messages view shows the exact messages');
  await page.click('vscode-button[data-action="toggleMessages"]');
  await page.click('vscode-button[data-action="rerun"]');
  messages = await posted(page);
  check(messages[messages.length - 1].type === 'rerun', 'Run again posts rerun');

  // Re-run: previous answers stay until the new ones arrive.
  const second = secondRun();
  await send(page, { type: 'runStarted', run: second, previousRun: finishedFirstRun() });
  await frames(page);
  check((await page.locator('article.answer[data-showing-previous]').count()) === 3, 're-run shows all previous answers while queued');
  check(((await page.locator('article.answer[data-model="qwen3:8b"] .answer-body').textContent()) ?? '').includes('TL;DR'), 'previous answer text is shown');
  await send(page, { type: 'chunks', runId: second.runId, chunks: [{ answerId: 'b1', text: 'Fresh ' }] });
  await frames(page);
  check((await page.locator('article.answer[data-model="llama3.2"]').getAttribute('data-showing-previous')) === null && (await page.locator('article.answer[data-model="llama3.2"] .answer-body').textContent()) === 'Fresh', 'first chunk replaces the previous answer');
  await send(page, { type: 'answerUpdated', runId: second.runId, answerId: 'b3', status: 'failed', error: { kind: 'unreachable', message: 'connect ECONNREFUSED' } });
  await frames(page);
  check((await page.locator('article.answer[data-model="gemma3:4b"]').getAttribute('data-showing-previous')) === null, 'finishing replaces the previous answer');
  check(((await page.locator('article.answer[data-model="gemma3:4b"] .answer-error').textContent()) ?? '').includes('not reachable'), 'unreachable has its own wording');
  await send(page, { type: 'chunks', runId: 'run-1', chunks: [{ answerId: 'a2', text: 'stale' }] });
  await frames(page);
  check(!((await page.locator('article.answer[data-model="qwen3:8b"] .answer-body').textContent()) ?? '').includes('stale'), 'chunks for an old run are ignored');

  // Reload: UI state survives, data comes from the host again.
  await page.locator('article.answer[data-model="qwen3:8b"]').focus();
  await page.keyboard.press('r');
  await page.waitForTimeout(300);
  await page.reload();
  await page.waitForFunction('window.__posted && window.__posted.length > 0');
  check((await posted(page))[0]?.type === 'ready', 'after a reload the panel says ready again');
  await send(page, { type: 'state', state: { run: finishedFirstRun(), running: false } });
  await frames(page);
  check((await page.locator('article.answer[data-model="qwen3:8b"] .answer-body').getAttribute('data-view')) === 'raw', 'raw/markdown choice survives a reload (setState)');
  check((await page.evaluate('document.activeElement && document.activeElement.dataset.model')) === 'qwen3:8b', 'focused column survives a reload');

  await send(page, { type: 'runStarted', run: { ...secondRun(), runId: 'run-3' } });
  await frames(page);
  check((await page.locator('article.answer[data-showing-previous]').count()) === 3, 'without previousRun, the answers on screen stand in for the same prompt');

  // Hostile input.
  const hostile = hostileRun();
  await send(page, { type: 'runStarted', run: hostile });
  await stream(page, hostile.runId, [{ answerId: 'h1', text: hostileText, thinking: '<script>window.__pwned=1</script>' }]);
  await send(page, { type: 'answerUpdated', runId: hostile.runId, answerId: 'h1', status: 'failed', error: { kind: 'server', message: '<img src=x onerror="window.__pwned=1">' } });
  await frames(page, 3);
  await page.waitForTimeout(200);
  const body = page.locator('article.answer .answer-body');
  const bodyText = (await body.textContent()) ?? '';
  check((await page.evaluate('typeof window.__pwned')) === 'undefined', 'hostile answer: window.__pwned stays undefined');
  check(bodyText.includes('<script>window.__pwned=1</script>') && bodyText.includes('<img src=x onerror="window.__pwned=1">'), 'hostile answer: tags are shown literally');
  check(bodyText.includes('[x](javascript:window.__pwned=1)'), 'hostile answer: javascript: link is plain text');
  check((await page.locator('#root script, #root img, #root iframe, #root [onerror], #root a[href]').count()) === 0, 'hostile answer: no script/img/iframe/href/handler elements created');
  check((await body.locator('.md-link').count()) === 1 && (await body.locator('.md-link').getAttribute('data-href')) === 'https://example.com/logo.png', 'only the https image link is clickable (as alt text); vscode: link is plain');
  check(((await page.locator('.prompt-name').textContent()) ?? '') === 'hostile <b>name</b>', 'hostile prompt name is text');
  await body.click({ position: { x: 5, y: 5 } });
  await shot(page, 'dark', '7-hostile');
  await page.locator('article.answer').focus();
  await page.keyboard.press('r');
  await frames(page);
  check((await page.evaluate('typeof window.__pwned')) === 'undefined' && ((await body.textContent()) ?? '') === hostileText, 'hostile answer in raw view is the exact text');

  // A 1 MB single line must not freeze the panel.
  await page.evaluate("window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask' })");
  const large = largeRun();
  await send(page, { type: 'runStarted', run: large });
  await send(page, { type: 'answerUpdated', runId: large.runId, answerId: 'l1', status: 'streaming' });
  const line = 'lorem ipsum dolor sit amet, consectetur **adipiscing** elit '.repeat(17_500).slice(0, 1_000_000);
  const started = Date.now();
  for (let i = 0; i < line.length; i += 50_000) {
    await send(page, { type: 'chunks', runId: large.runId, chunks: [{ answerId: 'l1', text: line.slice(i, i + 50_000) }] });
    await frames(page, 1);
  }
  await send(page, { type: 'answerUpdated', runId: large.runId, answerId: 'l1', status: 'done', metrics: { totalMs: 1000 } });
  await frames(page, 2);
  const streamedMs = Date.now() - started;
  const textLength = await page.evaluate<number>("document.querySelector('article.answer .answer-body').textContent.length");
  const pingStart = Date.now();
  await page.evaluate('1');
  const pingMs = Date.now() - pingStart;
  const longest = Math.max(0, ...(await page.evaluate<number[]>('window.__longTasks')));
  console.log(`  info 1 MB single line: streamed and rendered in ${streamedMs} ms, longest main-thread task ${Math.round(longest)} ms, page answered in ${pingMs} ms, ${textLength} chars shown`);
  check(textLength === 1_000_000, '1 MB single-line answer fully shown');
  check(longest < 500 && pingMs < 1000, '1 MB single-line answer never blocks the panel for long (no task over 500 ms)');
  await shot(page, 'dark', '8-large');

  // Many models on a narrow panel: columns keep their minimum width and scroll sideways.
  await page.setViewportSize({ width: 960, height: 640 });
  const many = { ...firstRun(), runId: 'run-many', answers: ['llama3.2', 'qwen3:8b', 'gemma3:4b', 'mistral-small:24b', 'phi4-mini'].map((model, i) => ({ answerId: `m${i}`, model, host: 'http://127.0.0.1:11434', status: 'queued' as const, text: '' })) };
  await send(page, { type: 'runStarted', run: many });
  for (const [i, status] of (['done', 'streaming', 'loading', 'queued', 'failed'] as const).entries()) {
    await send(page, { type: 'answerUpdated', runId: many.runId, answerId: `m${i}`, status, error: status === 'failed' ? { kind: 'modelMissing', message: 'model "phi4-mini" not found, try pulling it first' } : undefined, metrics: status === 'done' ? metrics.llama : undefined });
  }
  await send(page, { type: 'chunks', runId: many.runId, chunks: [{ answerId: 'm0', text: qwenText }, { answerId: 'm1', text: llamaText.slice(0, 300) }] });
  await frames(page, 3);
  const overflow = await page.evaluate<number[]>("(() => { const c = document.querySelector('.columns'); return [c.scrollWidth, c.clientWidth, document.querySelector('article.answer').getBoundingClientRect().width]; })()");
  check(overflow[0] > overflow[1] && overflow[2] >= 319, `many models scroll sideways with columns >= 320px (${overflow.join(', ')})`);
  await shot(page, 'dark', '10-many-models');

  // CSP: nothing blocked, components styled, codicon font loaded.
  const violations = await page.evaluate<string[]>('window.__cspViolations');
  check(violations.length === 0, `no CSP violations${violations.length ? `: ${violations.join(' | ')}` : ''}`);
  check(consoleErrors.length === 0, `no console errors or warnings${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
  const buttonBg = await page.evaluate("getComputedStyle(document.querySelector('vscode-button[data-action=\"rerun\"]').shadowRoot.querySelector('.base') || document.querySelector('vscode-button')).backgroundColor");
  check(buttonBg === 'rgb(0, 120, 212)', `vscode-button is styled through adoptedStyleSheets under the strict CSP (${String(buttonBg)})`);
  check((await page.evaluate("document.fonts.check('16px codicon')")) === true, 'codicon font loaded under the CSP');
  const adopted = await page.evaluate<number[]>("(() => { const root = document.querySelector('vscode-button').shadowRoot; return [root.adoptedStyleSheets.length, root.querySelectorAll('style').length]; })()");
  check(adopted[0] > 0 && adopted[1] === 0, `Lit styles components with adoptedStyleSheets, no <style> elements (${adopted.join(', ')})`);
  // Prove the CSP is live and the violation listener works: an inline style attribute must be refused.
  await page.evaluate("document.body.appendChild(document.createElement('div')).setAttribute('style', 'color: red')");
  await page.waitForTimeout(100);
  const refused = await page.evaluate<string[]>('window.__cspViolations');
  check(refused.some((v) => v.startsWith('style-src')), `the CSP refuses inline style attributes (${refused.join(' | ')})`);
}

// ---------- translation (a German bundle in the page) ----------

async function translation(page: Page, origin: string): Promise<void> {
  console.log('\n[translation]');
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(`${origin}/?theme=dark&lang=de`);
  await page.waitForFunction('window.__posted && window.__posted.length > 0');
  await page.evaluate('document.fonts.ready');
  // Before the host's first message: the panel drew these from the bundle in the page.
  check((await page.getAttribute('html', 'lang')) === 'de', 'the page says lang="de"');
  check((await page.locator('.empty-hint').textContent()) === 'Verbindung zu Prompt Loop wird hergestellt…', 'words drawn before the first state are translated ("Connecting…")');
  check((await page.locator('vscode-button[data-action="rerun"]').textContent()) === 'Erneut ausführen', 'header buttons built before the first state are translated');
  check((await page.locator('vscode-button[data-show-view="run"]').textContent()) === 'Ausführen', 'the view switcher’s labels (looked up when built) are translated');
  check((await page.locator('vscode-button[data-action="selectModels"]').textContent()) === 'Models…', 'a word the bundle lacks stays English');

  await send(page, { type: 'state', state: { running: false } });
  await frames(page);
  const empty = page.locator('.empty-state');
  check((await empty.locator('h2').textContent()) === 'Noch kein Lauf', 'the empty state is translated');
  const hint = empty.locator('p').first();
  check(
    (await hint.textContent()) === 'Klicke über dem Prompt auf Ausführen oder drücke Ctrl+Alt+Enter in einer .prompt-Datei.'
      && (await hint.locator('strong').textContent()) === 'Ausführen' && (await hint.locator('kbd').textContent()) === 'Ctrl+Alt+Enter'
      && (await hint.locator('strong + kbd').count()) === 1,
    'a sentence with elements is translated whole: the bold word and the keys stay elements, in the translation’s order',
  );
  await shot(page, 'dark', 'l10n-1-empty-de');

  const run = firstRun();
  await send(page, { type: 'runStarted', run });
  await send(page, { type: 'answerUpdated', runId: run.runId, answerId: 'a1', status: 'done', metrics: metrics.llama });
  await send(page, { type: 'chunks', runId: run.runId, chunks: [{ answerId: 'a1', text: llamaText }, { answerId: 'a3', text: gemmaPartial }] });
  await send(page, { type: 'answerUpdated', runId: run.runId, answerId: 'a3', status: 'failed', error: { kind: 'cut', message: 'connection reset' }, metrics: metrics.gemma });
  await frames(page, 3);
  const llama = page.locator('article.answer[data-model="llama3.2"]');
  check((await llama.locator('.status-text').textContent()) === 'fertig', 'a status word (from a table of words) is translated');
  check((await llama.getAttribute('aria-label')) === 'Antwort von llama3.2', 'an accessible name is translated, its placeholder filled');
  check(((await page.locator('.run-summary').textContent()) ?? '').startsWith('2 von 3 fertig · '), `the run summary is translated, placeholders filled (${await page.locator('.run-summary').textContent()})`);
  check(((await page.locator('article.answer[data-model="gemma3:4b"] .error-headline').textContent()) ?? '') === 'Stream abgebrochen — Teilantwort behalten', 'an error headline is translated');
  await shot(page, 'dark', 'l10n-2-run-de');

  const violations = await page.evaluate<string[]>('window.__cspViolations');
  check(violations.length === 0, `translated page: no CSP violations${violations.length ? `: ${violations.join(' | ')}` : ''}`);
  check(consoleErrors.length === 0, `translated page: no console errors or warnings${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
}

// ---------- main ----------

async function main(): Promise<void> {
  if (!existsSync(chromiumPath)) {
    console.error(`${chromiumPath} is missing (install Debian's chromium; this script never downloads a browser).`);
    process.exit(2);
  }
  mkdirSync(outDir, { recursive: true });
  await buildSite();
  const { server, origin } = await serve();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // `--only feedback` (or run, sweep, l10n) runs one part, for quick looks while working on it.
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  const part = (name: string): boolean => only === undefined || only === name;
  try {
    for (const theme of part('run') ? themeNames : []) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      const page = await context.newPage();
      await tour(page, origin, theme);
      await context.close();
    }
    if (part('run')) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      await behaviour(await context.newPage(), origin);
      await context.close();
    }

    const tools: PreviewTools = { open: (page, theme) => open(page, origin, theme), send, posted, frames, shot, check };
    for (const theme of part('sweep') ? themeNames : []) {
      const sweepContext = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      await sweepTour(await sweepContext.newPage(), theme, tools);
      await sweepContext.close();
    }
    if (part('sweep')) {
      const sweepContext = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      await sweepBehaviour(await sweepContext.newPage(), tools);
      await sweepContext.close();
    }

    for (const theme of part('feedback') ? themeNames : []) {
      const feedbackContext = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      await feedbackTour(await feedbackContext.newPage(), theme, tools);
      await feedbackContext.close();
    }
    if (part('feedback')) {
      const feedbackContext = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      await feedbackBehaviour(await feedbackContext.newPage(), tools);
      await feedbackContext.close();
    }

    if (part('l10n')) {
      const l10nContext = await browser.newContext({ viewport: { width: 1280, height: 760 } });
      await translation(await l10nContext.newPage(), origin);
      await l10nContext.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`\nAll checks passed. Screenshots in ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
