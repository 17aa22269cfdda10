/**
 * Lets integration tests (running inside the extension host) look at and act on the
 * UI, including inside the Prompt Loop webview, which only the outer Playwright
 * process can see. Talks HTTP to test/harness/uiBridgeServer.ts, whose URL arrives in
 * the env var PROMPT_LOOP_UI_BRIDGE (set on the VS Code server, inherited by the
 * extension host).
 *
 * Selectors are Playwright selectors (CSS by default; they pierce open shadow roots and
 * accept `:has-text("…")`). `click`, `focus` and `press` with a selector are strict:
 * the selector must match exactly one element (append ` >> nth=0` to take the first).
 *
 * Notification toasts never appear in this harness: VS Code hides them when the server
 * runs with --enable-smoke-test-driver (which the test payload needs). Read them from
 * the notification center instead: `notificationMessages()`.
 *
 * @example
 *   await webview.waitFor('.answer', { textIncludes: 'Paris', count: 2 });
 *   await webview.click('button[data-action="run"]');
 *   const toasts = await workbench.query('.notifications-toasts .notification-list-item-message');
 */
import * as vscode from 'vscode';
import type { BridgeRequest, BridgeTarget, ElementSnapshot, WaitForOptions } from '../harness/uiBridgeProtocol';
import { uiBridgeEnvVar } from '../harness/uiBridgeProtocol';

export type { ElementSnapshot, WaitForOptions } from '../harness/uiBridgeProtocol';

/** The focused element of a document, and whether that document has focus at all. */
export type ActiveElement = ElementSnapshot & { documentHasFocus: boolean };

const defaultTimeoutMs = 10_000;

/** Whether the tests run under the harness (false when run some other way). */
export function uiBridgeAvailable(): boolean {
  return Boolean(process.env[uiBridgeEnvVar]);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function call<T>(req: DistributiveOmit<BridgeRequest, 'timeoutMs'>, timeoutMs = defaultTimeoutMs): Promise<T> {
  const url = process.env[uiBridgeEnvVar];
  const what = describe(req);
  if (!url) throw new Error(`uiBridge ${what}: ${uiBridgeEnvVar} is not set (run the tests with npm run test:vscode)`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...req, timeoutMs }),
      // The server gives up at timeoutMs (+2 s guard); this only catches a dead bridge.
      signal: AbortSignal.timeout(timeoutMs + 5000),
    });
  } catch (err) {
    throw new Error(`uiBridge ${what}: no answer from the bridge (${err instanceof Error ? err.message : String(err)})`);
  }
  const payload = (await res.json()) as { ok: true; result: T } | { ok: false; error: string };
  if (!payload.ok) throw new Error(`uiBridge ${what} failed: ${payload.error}`);
  return payload.result;
}

function describe(req: DistributiveOmit<BridgeRequest, 'timeoutMs'>): string {
  const target = 'target' in req ? `${req.target}.` : '';
  const args = [
    'selector' in req && req.selector !== undefined ? JSON.stringify(req.selector) : undefined,
    'key' in req ? JSON.stringify(req.key) : undefined,
    'name' in req ? JSON.stringify(req.name) : undefined,
    'text' in req ? JSON.stringify(req.text.slice(0, 40)) : undefined,
  ].filter(Boolean);
  return `${target}${req.op}(${args.join(', ')})`;
}

/** Operations on one document: the Prompt Loop webview or the workbench around it. */
export interface UiSurface {
  /** Every element matching `selector`, in document order (rejects when the document is missing). */
  query(selector: string, timeoutMs?: number): Promise<ElementSnapshot[]>;
  /**
   * Polls until the elements matching `selector` satisfy `options` (default: at least one
   * exists); resolves with the elements that passed the filters, rejects on timeout with what it last saw.
   */
  waitFor(selector: string, options?: WaitForOptions, timeoutMs?: number): Promise<ElementSnapshot[]>;
  /** Clicks the one element matching `selector` (waits for it to be visible, stable and enabled). */
  click(selector: string, timeoutMs?: number): Promise<void>;
  /** Focuses the element, then presses `key` (Playwright key names: 'Enter', 'Control+Enter', 'ArrowDown'…). Without a selector, presses into whatever has focus. */
  press(key: string, selector?: string, timeoutMs?: number): Promise<void>;
  /** Focuses the one element matching `selector`. */
  focus(selector: string, timeoutMs?: number): Promise<void>;
  /** Types `text`: into the one element matching `selector` (replacing its value), else into whatever has focus. */
  type(text: string, selector?: string, timeoutMs?: number): Promise<void>;
  /** Evaluates a JavaScript expression in the document (as a page script would); resolves its value. */
  evaluate<T = unknown>(expression: string, timeoutMs?: number): Promise<T>;
  /** The focused element (descending into shadow roots); `body` when nothing is. */
  activeElement(timeoutMs?: number): Promise<ActiveElement>;
}

function surface(target: BridgeTarget): UiSurface {
  return {
    query: (selector, timeoutMs) => call({ op: 'query', target, selector }, timeoutMs),
    waitFor: (selector, options = {}, timeoutMs) => call({ op: 'waitFor', target, selector, options }, timeoutMs),
    click: (selector, timeoutMs) => call({ op: 'click', target, selector }, timeoutMs),
    press: (key, selector, timeoutMs) => call({ op: 'press', target, key, selector }, timeoutMs),
    focus: (selector, timeoutMs) => call({ op: 'focus', target, selector }, timeoutMs),
    type: (text, selector, timeoutMs) => call({ op: 'type', target, text, selector }, timeoutMs),
    activeElement: (timeoutMs) => call({ op: 'activeElement', target }, timeoutMs),
    evaluate: <T>(expression: string, timeoutMs?: number) => call<T>({ op: 'evaluate', target, expression }, timeoutMs),
  };
}

/** The Prompt Loop panel's webview (the frame whose document has `#root[data-panel="prompt-loop"]`). */
export const webview: UiSurface & {
  /** Whether a Prompt Loop webview is open right now. */
  exists(timeoutMs?: number): Promise<boolean>;
} = {
  ...surface('webview'),
  exists: (timeoutMs) => call({ op: 'exists', target: 'webview' }, timeoutMs),
};

/** The workbench page itself (editors, notifications, quick input, status bar…). */
export const workbench: UiSurface = surface('workbench');

/**
 * Full-page PNG of the workbench into test-results/ (or PROMPT_LOOP_SCREENSHOT_DIR);
 * resolves with the file's path. `name` becomes the file name (sanitised, `.png` added).
 */
export function screenshot(name: string, timeoutMs = 30_000): Promise<string> {
  return call({ op: 'screenshot', name }, timeoutMs);
}

/**
 * Texts of the notifications now in the notification center (opened for the query and
 * closed again). Use it instead of looking for toasts, which this harness never shows.
 */
export async function notificationMessages(timeoutMs = defaultTimeoutMs): Promise<string[]> {
  await vscode.commands.executeCommand('notifications.showList');
  try {
    await workbench.waitFor('.notifications-center', { visible: true }, timeoutMs);
    const items = await workbench.query('.notifications-center .notification-list-item-message', timeoutMs);
    return items.map((item) => item.text);
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}

/**
 * Clicks the button labelled `button` on the notification whose text includes
 * `textIncludes`, through the notification center (toasts never show here).
 */
export async function clickNotificationButton(textIncludes: string, button: string, timeoutMs = defaultTimeoutMs): Promise<void> {
  await vscode.commands.executeCommand('notifications.showList');
  try {
    const item = `.notifications-center .notification-list-item:has-text(${JSON.stringify(textIncludes)})`;
    await workbench.waitFor(item, {}, timeoutMs);
    await workbench.click(`${item} .monaco-button:has-text(${JSON.stringify(button)}) >> nth=0`, timeoutMs);
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}

const quickInput = '.quick-input-widget input';

/**
 * Runs a command the way a person does: F1, type its title, Enter. Resolves once
 * the palette has taken the command (the command itself may still be running).
 */
export async function runFromPalette(title: string, timeoutMs = defaultTimeoutMs): Promise<void> {
  await workbench.press('F1');
  await workbench.waitFor(quickInput, { visible: true }, timeoutMs);
  await workbench.type(`>${title}`, quickInput, timeoutMs);
  await workbench.waitFor('.quick-input-list .monaco-list-row', { textIncludes: title, minCount: 1 }, timeoutMs);
  await workbench.press('Enter', quickInput, timeoutMs);
}

/** Answers the open quick input (an input box or a quick pick's filter) with `text` and Enter. */
export async function answerQuickInput(text: string, timeoutMs = defaultTimeoutMs): Promise<void> {
  await workbench.waitFor(quickInput, { visible: true }, timeoutMs);
  await workbench.type(text, quickInput, timeoutMs);
  await workbench.press('Enter', quickInput, timeoutMs);
}
