/**
 * The HTML shell of the Prompt Loop panel. Pure (no `vscode` import) so it can be
 * tested and reused by the preview page; the panel host passes webview URIs in.
 */

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce per render (letters, digits, `+/=_-`). */
  nonce: string;
  /** The bundled panel script (dist/webview/panel.js) as a webview URI. */
  scriptUri: string;
  /** Stylesheets, in order (dist/webview/panel.css first). */
  styleUris: string[];
  /** dist/webview/codicon.css as a webview URI. */
  codiconUri: string;
  /**
   * The webview's translations, `vscode.l10n.bundle` (undefined in English): embedded
   * as JSON for webview/l10nBundle.ts, which configures `l10n.t` before the panel
   * draws anything (its first words come before the host's first message).
   */
  l10nBundle?: Readonly<Record<string, string>>;
  /** `vscode.env.language`: the page's `lang` when there is a bundle (without one the panel is English). */
  language?: string;
}

/** The id webview/l10nBundle.ts reads the bundle from (`l10nElementId` there). */
export const l10nElementId = 'prompt-loop-l10n';

const htmlEscapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML attribute value or text content. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/**
 * JSON that can sit inside a `<script>` element: `<`, `>` and `&` are written as
 * \u escapes, so no `</script>` or `<!--` can end or change the element, and
 * JSON.parse still gives back the same strings.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Returns the panel's HTML: a strict CSP (nonce scripts, styles from the webview's
 * own origin), codicons, the stylesheets, an empty `#root`, the translations (if
 * any, as JSON) and the script.
 * Throws on a nonce or CSP source that could break out of the policy.
 */
export function panelHtml(options: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUris, codiconUri, l10nBundle, language } = options;
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('panelHtml: the nonce must be at least 16 base64 characters');
  // The source goes into the policy itself: a ';' or quote there would add directives.
  if (!/^[^\s;,"<>]+(?: [^\s;,"<>]+)*$/.test(cspSource)) throw new Error('panelHtml: unexpected characters in cspSource');

  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Lit (vscode-elements) styles its components with constructable stylesheets
    // (adoptedStyleSheets), which CSP does not govern: no 'unsafe-inline' needed.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');

  const n = escapeHtml(nonce);
  const styles = styleUris.map((uri) => `    <link rel="stylesheet" href="${escapeHtml(uri)}" nonce="${n}">`).join('\n');
  // Data, not code: a JSON script is never run (so the CSP needs nothing more) and is read with textContent.
  const bundle = l10nBundle ? `    <script type="application/json" id="${l10nElementId}" nonce="${n}">${scriptJson(l10nBundle)}</script>\n` : '';
  const lang = l10nBundle && language && /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/.test(language) ? language : 'en';
  return `<!DOCTYPE html>
<html lang="${lang}">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${escapeHtml(codiconUri)}" nonce="${n}">
${styles}
    <title>Prompt Loop</title>
  </head>
  <body>
    <div id="root" class="prompt-loop" data-panel="prompt-loop"></div>
${bundle}    <script nonce="${n}" src="${escapeHtml(scriptUri)}"></script>
  </body>
</html>
`;
}
