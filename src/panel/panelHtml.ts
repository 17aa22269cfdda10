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
}

const htmlEscapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML attribute value or text content. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/**
 * Returns the panel's HTML: a strict CSP (nonce scripts, styles from the webview's
 * own origin), codicons, the stylesheets, an empty `#root` and the script.
 * Throws on a nonce or CSP source that could break out of the policy.
 */
export function panelHtml(options: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUris, codiconUri } = options;
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
  return `<!DOCTYPE html>
<html lang="en">
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
    <script nonce="${n}" src="${escapeHtml(scriptUri)}"></script>
  </body>
</html>
`;
}
