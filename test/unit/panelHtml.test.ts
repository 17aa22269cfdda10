import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as l10n from '@vscode/l10n';
import { escapeHtml, l10nElementId, panelHtml, scriptJson, type PanelHtmlOptions } from '../../src/panel/panelHtml';
import { blindProgressText } from '../../webview/feedbackModel';
import { cellStatusLabel, progressText, statusLabel } from '../../webview/format';
import { configureL10n, l10nElementId as webviewL10nElementId, parseBundle } from '../../webview/l10nBundle';
import { ratingAnnouncement } from '../../webview/ratingStore';

const nonce = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
const options: PanelHtmlOptions = {
  cspSource: 'https://*.vscode-cdn.net',
  nonce,
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.css'],
  codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css',
};

function cspOf(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'has a CSP meta tag');
  return match[1].replace(/&#39;/g, "'");
}

void describe('panelHtml', () => {
  void it('sets a strict CSP: nonce scripts, styles and fonts from the webview origin only', () => {
    const csp = cspOf(panelHtml(options));
    assert.equal(
      csp,
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://*.vscode-cdn.net 'nonce-${nonce}'; font-src https://*.vscode-cdn.net; img-src https://*.vscode-cdn.net data:`,
    );
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*;|http:/);
  });

  void it('loads codicons (with the id vscode-elements looks for), the styles in order, and one nonce script', () => {
    const html = panelHtml({ ...options, styleUris: ['https://x.test/a.css', 'https://x.test/b.css'] });
    assert.match(html, new RegExp(`<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${options.codiconUri.replace(/[.+*?]/g, '\\$&')}" nonce="${nonce}">`));
    assert.ok(html.indexOf('a.css') < html.indexOf('b.css'));
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="${options.scriptUri}">`]);
    assert.match(html, /<div id="root"[^>]*><\/div>/);
    assert.match(html, /^<!DOCTYPE html>/);
  });

  void it('escapes every interpolated value', () => {
    const hostile = 'https://x.test/"><script>alert(1)</script>';
    const html = panelHtml({ ...options, scriptUri: hostile, codiconUri: hostile, styleUris: [hostile] });
    assert.doesNotMatch(html, /"><script>alert/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  void it('refuses a nonce or CSP source that could change the policy', () => {
    assert.throws(() => panelHtml({ ...options, nonce: 'short' }), /nonce/);
    assert.throws(() => panelHtml({ ...options, nonce: `${nonce}' 'unsafe-inline` }), /nonce/);
    assert.throws(() => panelHtml({ ...options, cspSource: "https://x; script-src 'unsafe-inline'" }), /cspSource/);
    assert.throws(() => panelHtml({ ...options, cspSource: 'https://x"><script>' }), /cspSource/);
    assert.throws(() => panelHtml({ ...options, cspSource: '' }), /cspSource/);
    assert.doesNotThrow(() => panelHtml({ ...options, cspSource: "'self' https://*.vscode-cdn.net" }));
  });
});

/** The text of the page's JSON bundle element, as the webview reads it (textContent: no entity decoding in a script). */
function bundleText(html: string): string | undefined {
  return new RegExp(`<script type="application/json" id="${l10nElementId}" nonce="${nonce}">([^<]*)</script>`).exec(html)?.[1];
}

/** A small German bundle, as `vscode.l10n.bundle` would give it with the display language set to German. */
const german: Record<string, string> = {
  'Connecting to Prompt Loop…': 'Verbinde mit Prompt Loop…',
  done: 'fertig',
  '{0} of {1}': '{0} von {1}',
  '{0} failed': '{0} fehlgeschlagen',
  'Rated {0} of 5, with a comment': 'Mit {0} von 5 bewertet, mit Kommentar',
};

void describe('panelHtml: the webview’s translations', () => {
  void it('embeds no bundle in English: the page is as before, lang="en"', () => {
    const html = panelHtml(options);
    assert.doesNotMatch(html, new RegExp(l10nElementId));
    assert.match(html, /<html lang="en">/);
  });

  void it('embeds the bundle as inert JSON before the panel script, under the same CSP', () => {
    const html = panelHtml({ ...options, l10nBundle: german, language: 'de' });
    assert.equal(l10nElementId, webviewL10nElementId, 'host and webview agree on the element');
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script type="application/json" id="${l10nElementId}" nonce="${nonce}">`, `<script nonce="${nonce}" src="${options.scriptUri}">`]);
    assert.equal(cspOf(html), cspOf(panelHtml(options)), 'the CSP is unchanged (a JSON script never runs)');
    assert.match(html, /<html lang="de">/);
    assert.deepEqual(parseBundle(bundleText(html)), german);
    // A language tag that is not one stays out of the attribute.
    assert.match(panelHtml({ ...options, l10nBundle: german, language: 'de" onload="x' }), /<html lang="en">/);
  });

  void it('keeps hostile translations inside the JSON: no </script>, comment or tag can end the element', () => {
    const hostile = { a: '</script><script>alert(1)</script>', b: '<!--', c: '&amp; <b>"quoted"</b> \u2028', 'x</script>': 'y' };
    const html = panelHtml({ ...options, l10nBundle: hostile });
    assert.equal((html.match(/<script/g) ?? []).length, 2);
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2);
    assert.doesNotMatch(bundleText(html) ?? '', /[<>&]/);
    assert.deepEqual(parseBundle(bundleText(html)), hostile);
    assert.equal(JSON.parse(scriptJson('\u2028</script>')), '\u2028</script>');
  });

  void it('reads only a JSON object of strings (or { message }); anything else leaves the panel English', () => {
    assert.equal(parseBundle(undefined), undefined);
    assert.equal(parseBundle(''), undefined);
    assert.equal(parseBundle('not json'), undefined);
    assert.equal(parseBundle('[1, 2]'), undefined);
    assert.equal(parseBundle('null'), undefined);
    assert.deepEqual(parseBundle('{"a": "b", "c": 3, "d": {"message": "e", "comment": ["f"]}, "g": null}'), { a: 'b', d: 'e' });
  });

  void it('translates what the webview draws once configured from the page, with the placeholders filled', () => {
    const html = panelHtml({ ...options, l10nBundle: german, language: 'de' });
    // English before any configuration (as in every other unit test).
    assert.equal(statusLabel('done'), 'done');
    assert.equal(progressText({ total: 12, done: 9, cached: 0, failed: 3, cancelled: 0 }), '12 of 12 · 3 failed');
    try {
      assert.equal(configureL10n({ getElementById: (id) => (id === l10nElementId ? { textContent: bundleText(html) ?? null } : null) }), true);
      assert.equal(statusLabel('done'), 'fertig');
      assert.equal(cellStatusLabel('done'), 'fertig');
      assert.equal(progressText({ total: 12, done: 9, cached: 0, failed: 3, cancelled: 0 }), '12 von 12 · 3 fehlgeschlagen');
      assert.equal(ratingAnnouncement({ score: 4, comment: 'good' }), 'Mit 4 von 5 bewertet, mit Kommentar');
      // Words the bundle does not translate stay English, placeholders filled.
      assert.equal(blindProgressText(3, 12), '3 judged · 12 left');
      assert.equal(configureL10n({ getElementById: () => null }), false, 'no element: nothing configured');
    } finally {
      l10n.config({ contents: {} });
    }
    assert.equal(statusLabel('done'), 'done');
  });
});

void describe('escapeHtml', () => {
  void it('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
