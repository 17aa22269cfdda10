/**
 * Wire format of the UI bridge: the tests (inside the extension host) ask the outer
 * runner, which holds the Playwright page, to look at or act on the UI. Types (and the env var's
 * name) only; imported by the client (test/integration/uiBridge.ts) and the server (uiBridgeServer.ts).
 *
 * Transport: `POST <PROMPT_LOOP_UI_BRIDGE>` with a JSON `BridgeRequest`; the answer is
 * always HTTP 200 with a JSON `BridgeResponse` (errors travel as `{ ok: false, error }`).
 */

/** Which document a request targets. */
export type BridgeTarget = 'webview' | 'workbench';

/** One element as the tests see it. */
export interface ElementSnapshot {
  /** textContent with runs of whitespace collapsed and trimmed. */
  text: string;
  /** All attributes of the element. */
  attrs: Record<string, string>;
  /** Live `value` of inputs, textareas and selects (the attribute may be stale). */
  value?: string;
  /** Lower-case tag name. */
  tag: string;
  /** Whether the element has a layout box (not display:none, not detached). */
  visible: boolean;
}

/**
 * What `waitFor` waits for. Elements are first filtered by `textIncludes`, `attr`
 * and `visible`; then `count` (exact) or `minCount` (default 1) applies to what is left.
 */
export interface WaitForOptions {
  /** Keep only elements whose text contains this string. */
  textIncludes?: string;
  /** Keep only elements having these attributes; `true` = present with any value. */
  attr?: Record<string, string | true>;
  /** Keep only visible (true) or hidden (false) elements. */
  visible?: boolean;
  /** Exactly this many elements must remain (0 waits for absence). */
  count?: number;
  /** At least this many elements must remain (default 1 when `count` is absent). */
  minCount?: number;
}

export type BridgeRequest =
  | { op: 'query'; target: BridgeTarget; selector: string; timeoutMs: number }
  | { op: 'waitFor'; target: BridgeTarget; selector: string; options: WaitForOptions; timeoutMs: number }
  | { op: 'click'; target: BridgeTarget; selector: string; timeoutMs: number }
  | { op: 'focus'; target: BridgeTarget; selector: string; timeoutMs: number }
  | { op: 'press'; target: BridgeTarget; key: string; selector?: string; timeoutMs: number }
  | { op: 'type'; target: BridgeTarget; text: string; selector?: string; timeoutMs: number }
  | { op: 'activeElement'; target: BridgeTarget; timeoutMs: number }
  /** Runs a JavaScript expression in the target document; resolves its JSON-able value. Tests only. */
  | { op: 'evaluate'; target: BridgeTarget; expression: string; timeoutMs: number }
  | { op: 'exists'; target: BridgeTarget; timeoutMs: number }
  | { op: 'screenshot'; name: string; timeoutMs: number };

export type BridgeResponse = { ok: true; result: unknown } | { ok: false; error: string };

/** Env var on the server process (inherited by the extension host) holding the bridge URL. */
export const uiBridgeEnvVar = 'PROMPT_LOOP_UI_BRIDGE';

/** Env var holding the path of a file that says which test phase runs ("1", or "2" after a window reload). */
export const phaseEnvVar = 'PROMPT_LOOP_PHASE_FILE';
