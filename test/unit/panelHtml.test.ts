import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, panelHtml, type PanelHtmlOptions } from '../../src/panel/panelHtml';

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

void describe('escapeHtml', () => {
  void it('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
