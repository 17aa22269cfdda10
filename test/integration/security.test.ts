/**
 * Model output is untrusted, and so is whatever the webview sends: in the real
 * VS Code, a hostile answer renders as inert text (no script runs, the CSP
 * reports nothing), and malformed messages posted from inside the webview are
 * dropped, never acted on.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptLoopApi } from '../../src/extension';
import { startSimulator } from '../../tools/simulator/server';
import { config, waitFor, workspaceRoot } from './helpers';
import { screenshot, webview } from './uiBridge';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

/** What an attacker-controlled model could answer. Every payload would set body[data-pwned] if it ran. */
const hostile = [
  '# Results <script>document.body.dataset.pwned = "script"</script>',
  '<img src="x" onerror="document.body.dataset.pwned = \'img\'">',
  '[click me](javascript:document.body.dataset.pwned="link") and <a href="javascript:document.body.dataset.pwned=\'a\'">this</a>',
  '<iframe srcdoc="<script>parent.document.body.dataset.pwned=\'iframe\'</script>"></iframe>',
  '<div onmouseover="document.body.dataset.pwned=\'div\'" style="position:fixed;inset:0">cover</div>',
  'Entities stay text: &lt;b&gt;bold&lt;/b&gt; &amp; &#60;script&#62;',
  '<svg onload="document.body.dataset.pwned=\'svg\'"></svg>',
  '```html\n<script>alert(1)</script>\n```',
].join('\n\n');
/** The same with a 1 MB single line: too long to parse as Markdown, shown as plain text. */
const hostileHuge = `${hostile}\n\n${'x'.repeat(1_000_000)}`;

suite('Untrusted content', () => {
  let sim: Simulator;
  let api: PromptLoopApi;

  suiteSetup(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0.01 });
    await config().update('ollamaHost', sim.url, vscode.ConfigurationTarget.Workspace);
    api = await vscode.extensions.getExtension<PromptLoopApi>('promptloop.prompt-loop')!.activate();
  });

  suiteTeardown(async () => {
    await config().update('ollamaHost', undefined, vscode.ConfigurationTarget.Workspace);
    await sim.close();
  });

  test('a hostile answer renders as inert text: no script runs, the CSP reports nothing', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), 'classify-ticket.prompt'));
    const preset = { variants: [''], models: ['llama3.2'], cases: [0, 1], temperatures: [], seeds: [], repeats: 1, skipConfirm: true };
    const first = await api.services.sweeps.run(uri, preset);
    // The model "answered" the hostile texts: put them in the store under the cells' keys, then sweep again (cached).
    const store = await api.services.stores.forRoot(workspaceRoot());
    for (const [row, text] of [[0, hostile], [1, hostileHuge]] as const) {
      const key = first!.cells.find((c) => c.caseIndex === row)!.answerKey!;
      await store.putAnswer({ ...(await store.getAnswer(key))!, text });
    }
    await webview.evaluate(`(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
      return true;
    })()`);
    await api.services.sweeps.run(uri, preset);
    await webview.waitFor('[data-view="sweep"] [data-cell-key][data-status="cached"]', { count: 2 });
    await webview.focus('[data-view="sweep"] [data-cell-key][data-case="0"]');
    await webview.press('Enter');
    for (const [row, view] of [[0, 'markdown'], [1, 'plain']] as const) {
      if (row === 1) {
        await webview.focus('[data-view="sweep"] [data-cell-key][data-case="1"]');
        await webview.press('Enter');
      }
      const body = await webview.waitFor('[data-cell-detail] [data-detail-body]', { textIncludes: 'Entities stay text' }, 15_000);
      if (row === 1) assert.ok(body[0].text.length > 1_000_000, 'the 1 MB line is there, in full');
      assert.match(body[0].text, /<img src="x" onerror=/, `${view}: raw HTML is shown as text`);
      assert.notEqual(body[0].attrs['data-view'], undefined);
      for (const tag of ['script', 'img', 'iframe', 'svg', 'div[onmouseover]', '[onerror]', '[onload]', '[onmouseover]', 'a[href^="javascript"]']) {
        assert.equal((await webview.query(`[data-cell-detail] [data-detail-body] ${tag}`)).length, 0, `${view}: no ${tag} element from the answer`);
      }
      // Follow a link as a user would: a javascript: link goes to the host, which refuses it.
      const links = await webview.query('[data-cell-detail] [data-detail-body] [data-href]');
      if (links.length > 0) await webview.click('[data-cell-detail] [data-detail-body] [data-href] >> nth=0');
      await new Promise((r) => setTimeout(r, 300));
      if (row === 0) await screenshot('hostile-answer');
    }
    const state = await webview.evaluate<{ pwned?: string; csp: string[] }>('({ pwned: document.body.dataset.pwned, csp: window.__cspViolations ?? [] })');
    assert.equal(state.pwned, undefined, 'no payload ran');
    assert.deepEqual(state.csp, [], 'the CSP reported nothing');
    await webview.press('Escape');
  });

  test('malformed messages posted from inside the webview are dropped, not acted on', async () => {
    const ratingsBefore = (await (await api.services.stores.forRoot(workspaceRoot())).ratings('classify-ticket')).length;
    const droppedBefore = api.services.panel.dropped;
    const bad = [
      { type: 'rate', requestId: 1, answerKey: 'k', score: 99 },
      { type: 'rate', requestId: 2, answerKey: '', score: 3 },
      { type: 'openLink', requestId: 3 },
      { type: 'exec', requestId: 4, command: 'rm -rf /' },
      { type: 'suggestionAction', requestId: 5, suggestionId: 's', action: 'eval' },
      { requestId: 6 },
      'ready',
      null,
    ];
    // The same channel acquireVsCodeApi().postMessage uses: the hosting frame's post function
    // (VS Code's webview script hides it behind window.parent = window, so reach it through frameElement).
    await webview.evaluate(`(() => {
      const host = window.frameElement.ownerDocument.defaultView;
      const messages = ${JSON.stringify(bad)};
      for (const message of messages) host.__vscode_post_message__('onmessage', { message });
      return messages.length;
    })()`);
    await waitFor('the malformed messages to be dropped', () => api.services.panel.dropped - droppedBefore >= bad.length - 1, 10_000);
    const ratingsAfter = (await (await api.services.stores.forRoot(workspaceRoot())).ratings('classify-ticket')).length;
    assert.equal(ratingsAfter, ratingsBefore, 'nothing was rated');
    console.log(`malformed messages dropped: ${api.services.panel.dropped - droppedBefore} of ${bad.length}`);
  });
});
