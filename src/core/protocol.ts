/**
 * The one message protocol between the extension host and the Prompt Loop panel.
 * Types only (plus the validator of webview messages): imported by both sides.
 *
 * Flow: the webview posts `ready` first; the host queues everything until then and
 * answers with a full `state`. Streaming text arrives as coalesced `chunks`
 * (several answers, several tokens each), never one message per token.
 */

/** Where an answer stands. */
export type AnswerStatus =
  | 'queued' // waiting for a free request slot
  | 'loading' // request sent, no token yet (the model may be loading)
  | 'streaming' // tokens arriving
  | 'done' // finished normally
  | 'stopped' // the user stopped it; the partial text is kept
  | 'failed'; // an error ended it; any partial text is kept

/** Why an answer failed, in words the panel can act on. */
export type AnswerErrorKind =
  | 'unreachable' // no Ollama server answered at the host
  | 'modelMissing' // the server does not have the model
  | 'cut' // the stream ended before Ollama said it was done
  | 'timeout' // nothing arrived within the timeout
  | 'server' // the server answered with an error (HTTP 5xx, bad request…)
  | 'other';

export interface AnswerError {
  kind: AnswerErrorKind;
  message: string;
}

/** Numbers shown under an answer. Durations in milliseconds. */
export interface AnswerMetrics {
  /** Request start to first token, as seen by the client. */
  ttftMs?: number;
  /** Generated tokens per second, from Ollama's eval_count / eval_duration. */
  tokensPerSecond?: number;
  promptTokens?: number;
  answerTokens?: number;
  /** Time Ollama spent loading the model for this request. */
  loadMs?: number;
  /** Request start to last chunk, as seen by the client. */
  totalMs?: number;
  /** Ollama's done_reason ("stop", "length", …). */
  doneReason?: string;
}

/** One model's answer in a run. */
export interface AnswerView {
  answerId: string;
  /** Model name as sent to Ollama (no provider prefix). */
  model: string;
  host: string;
  status: AnswerStatus;
  text: string;
  /** Reasoning text from thinking models, shown collapsed. */
  thinking?: string;
  error?: AnswerError;
  metrics?: AnswerMetrics;
}

/** A message exactly as sent to Ollama's /api/chat. */
export interface ChatMessageView {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** Number of images attached (media parts), shown but not sent as text. */
  images?: number;
}

/** One run: a prompt rendered with one input, sent to one or more models. */
export interface RunView {
  runId: string;
  /** Display name, e.g. "summarize" or "summarize.concise". */
  promptName: string;
  promptPath: string;
  /** Where the input came from, e.g. "defaults", "case 2: long article", "custom". */
  inputLabel: string;
  input: Record<string, unknown>;
  messages: ChatMessageView[];
  /** Ollama options sent (temperature, num_predict, …). */
  options: Record<string, unknown>;
  /** Ollama `format` (JSON schema or "json") when the prompt has an output schema. */
  format?: unknown;
  startedAt: number;
  answers: AnswerView[];
}

/** Everything the panel shows; sent whole on `ready` and after a reload. */
export interface PanelState {
  /** The current run, if any. */
  run?: RunView;
  /** The run before it: its answers stay visible until the new ones arrive. */
  previousRun?: RunView;
  /** True while any answer of the current run is queued, loading or streaming. */
  running: boolean;
}

/** A coalesced piece of streamed text for one answer. */
export interface AnswerChunk {
  answerId: string;
  text?: string;
  thinking?: string;
}

export type HostToWebview =
  | { type: 'state'; state: PanelState }
  | { type: 'runStarted'; run: RunView; previousRun?: RunView }
  | { type: 'chunks'; runId: string; chunks: AnswerChunk[] }
  /** Status, error or metrics changed (text is not repeated here). */
  | { type: 'answerUpdated'; runId: string; answerId: string; status: AnswerStatus; error?: AnswerError; metrics?: AnswerMetrics }
  | { type: 'runFinished'; runId: string }
  | { type: 'reply'; requestId: number; ok: true }
  | { type: 'reply'; requestId: number; ok: false; error: string };

/** Messages from the webview. Each carries a `requestId`; the host replies ok or error. */
export type WebviewToHost =
  | { type: 'ready'; requestId: number }
  | { type: 'stop'; requestId: number }
  | { type: 'rerun'; requestId: number }
  | { type: 'selectModels'; requestId: number }
  | { type: 'showRenderedPrompt'; requestId: number; runId: string }
  /** A link in an answer was activated; the host asks before opening it. */
  | { type: 'openLink'; requestId: number; href: string }
  /** Copy an answer's raw text to the clipboard. */
  | { type: 'copyAnswer'; requestId: number; runId: string; answerId: string };

export type WebviewMessageType = WebviewToHost['type'];

const stringFields: Record<WebviewMessageType, readonly string[]> = {
  ready: [],
  stop: [],
  rerun: [],
  selectModels: [],
  showRenderedPrompt: ['runId'],
  openLink: ['href'],
  copyAnswer: ['runId', 'answerId'],
};

/**
 * Checks a message that arrived from the webview against the protocol.
 * Returns the typed message, or a reason it was rejected; never throws.
 */
export function parseWebviewMessage(raw: unknown): { ok: true; message: WebviewToHost } | { ok: false; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const record = raw as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(stringFields, type)) return { ok: false, reason: `unknown type ${JSON.stringify(type)}` };
  if (typeof record.requestId !== 'number' || !Number.isSafeInteger(record.requestId)) return { ok: false, reason: 'requestId must be an integer' };
  for (const field of stringFields[type as WebviewMessageType]) {
    const value = record[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 4096) return { ok: false, reason: `${field} must be a non-empty string` };
  }
  return { ok: true, message: raw as WebviewToHost };
}
