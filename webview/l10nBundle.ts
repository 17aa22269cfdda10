/**
 * The panel's translations. The host embeds `vscode.l10n.bundle` (none in English)
 * in the page as JSON (src/panel/panelHtml.ts); main.ts reads it with `textContent`
 * (never as HTML) and configures @vscode/l10n before the panel builds anything.
 * Pure apart from `l10n.config`: unit-tested in test/unit/panelHtml.test.ts.
 */
import * as l10n from '@vscode/l10n';

/** The id of the `<script type="application/json">` that holds the bundle (src/panel/panelHtml.ts writes the same). */
export const l10nElementId = 'prompt-loop-l10n';

/** The slice of `Document` this needs (`document` satisfies it). */
export interface BundleSource {
  getElementById(id: string): { textContent: string | null } | null;
}

/**
 * The bundle in the element's text: message → translation. Values may also be
 * `{ message }` (the format with translator comments); anything else is left out.
 * Undefined when there is none or it is not a JSON object (the panel stays English).
 */
export function parseBundle(text: string | null | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const bundle: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry === 'string') bundle[key] = entry;
    else if (typeof entry === 'object' && entry !== null && typeof (entry as { message?: unknown }).message === 'string') bundle[key] = (entry as { message: string }).message;
  }
  return bundle;
}

/** Configures `l10n.t` from the page's bundle; returns whether there was one. Call before anything is drawn. */
export function configureL10n(source: BundleSource): boolean {
  const bundle = parseBundle(source.getElementById(l10nElementId)?.textContent);
  if (bundle) l10n.config({ contents: bundle });
  return bundle !== undefined;
}
