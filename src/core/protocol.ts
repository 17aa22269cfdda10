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
  /** The HTTP status, when the server answered with an error. */
  httpStatus?: number;
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

// ---------------------------------------------------------------- sweeps

/**
 * Where one sweep cell stands. A cell is one request: a variant × model × case ×
 * parameter point × repeat.
 */
export type CellStatus =
  | 'queued' // waiting for a free request slot
  | 'loading' // sent, no token yet: the model may be loading
  | 'running' // tokens arriving
  | 'done' // finished normally
  | 'cached' // taken from the store: no request was made
  | 'failed' // an error ended it (see `error`); partial text is kept
  | 'cancelled'; // the user cancelled the sweep before it finished; partial text is kept

/** One point of a sweep's parameter grid (empty when there is no grid). */
export interface SweepParams {
  temperature?: number;
  seed?: number;
}

/** One request of a sweep, as the grid shows it. */
export interface SweepCellView {
  /** Stable across re-runs of the same sweep: variant, model, case, params and repeat. */
  cellId: string;
  /** Variant name; '' is the family's base prompt. */
  variant: string;
  model: string;
  /** Index into `SweepView.cases` (the row). */
  caseIndex: number;
  /** Index into `SweepView.params`. */
  paramsIndex: number;
  /** 0-based repeat. */
  repeat: number;
  status: CellStatus;
  text: string;
  error?: AnswerError;
  metrics?: AnswerMetrics;
  /** The stored answer's key (its cache key), once finished: ratings attach to it. */
  answerKey?: string;
  /** Retries made after transient faults. */
  attempts?: number;
}

/** A row of the grid. */
export interface SweepCaseView {
  /** Position in the family's cases file. */
  index: number;
  /** "case 2: The quarterly report…" */
  label: string;
  input: Record<string, unknown>;
}

/** Numbers for one column group (a variant on a model at one parameter point, or all of a variant). */
export interface SweepSummary {
  variant: string;
  /** Undefined: every model of the sweep together. */
  model?: string;
  paramsIndex?: number;
  cells: number;
  done: number;
  failed: number;
  meanTotalMs?: number;
  meanTtftMs?: number;
  meanTokensPerSecond?: number;
  /** Filled in once ratings exist (mean score 1–5 and count). */
  meanScore?: number;
  ratings?: number;
}

/** How alike the repeats of one grid cell are (only with repeats > 1). */
export interface CellConsistency {
  /** The grid cell: `${variant}\u0000${model}\u0000${caseIndex}\u0000${paramsIndex}` (see `gridCellKey`). */
  key: string;
  answers: number;
  distinct: number;
  /** Mean pairwise word-level similarity, 0–1 (1 = identical). */
  similarity: number;
}

export type SweepState = 'running' | 'finished' | 'cancelled';

/** A sweep, as the results grid shows it. */
export interface SweepView {
  sweepId: string;
  /** Family name, e.g. "summarize". */
  family: string;
  /** Workspace-relative path of the family's base prompt, for display. */
  familyPath: string;
  /** Variant names in column order; '' is the base prompt. */
  variants: string[];
  models: string[];
  cases: SweepCaseView[];
  /** Grid points; `[{}]` when the sweep has no parameter grid. */
  params: SweepParams[];
  repeats: number;
  cells: SweepCellView[];
  state: SweepState;
  startedAt: number;
  finishedAt?: number;
  /** Filled by the host as cells finish. */
  summaries: SweepSummary[];
  consistency: CellConsistency[];
}

/** A change to one cell; text is appended (coalesced, never one message per token). */
export interface SweepCellUpdate {
  cellId: string;
  status?: CellStatus;
  /** Text to append to the cell's answer. */
  appendText?: string;
  /** Replaces the answer text (a cached answer, or a retry that starts over). */
  text?: string;
  error?: AnswerError;
  metrics?: AnswerMetrics;
  answerKey?: string;
  attempts?: number;
}

/** Progress of a sweep, counted over cells. */
export interface SweepProgress {
  total: number;
  done: number;
  cached: number;
  failed: number;
  cancelled: number;
}

/** A word-level diff of two variants' rendered prompts (jsdiff `diffWordsWithSpace`). */
export interface VariantDiffView {
  family: string;
  left: { variant: string; label: string };
  right: { variant: string; label: string };
  /** What was compared, e.g. "rendered with case 1: …". */
  basis: string;
  /** One entry per message pair (by position), each a list of diff parts. */
  messages: { role: string; parts: { value: string; added?: boolean; removed?: boolean }[] }[];
}

/** Everything the panel shows; sent whole on `ready` and after a reload. */
export interface PanelState {
  /** The current run, if any. */
  run?: RunView;
  /** The run before it: its answers stay visible until the new ones arrive. */
  previousRun?: RunView;
  /** True while any answer of the current run is queued, loading or streaming. */
  running: boolean;
  /** The latest sweep, if any (the results grid). */
  sweep?: SweepView;
  /** The latest variant comparison, if any. */
  diff?: VariantDiffView;
  /** Which view the host last brought forward; the webview may switch freely after that. */
  view?: PanelViewName;
}

export type PanelViewName = 'run' | 'sweep' | 'diff';

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
  | { type: 'sweepStarted'; sweep: SweepView }
  /** Coalesced cell changes, with the progress and summaries they lead to. */
  | { type: 'sweepCells'; sweepId: string; updates: SweepCellUpdate[]; progress: SweepProgress; summaries?: SweepSummary[]; consistency?: CellConsistency[] }
  | { type: 'sweepFinished'; sweepId: string; state: SweepState; progress: SweepProgress }
  | { type: 'variantDiff'; diff: VariantDiffView }
  /** Brings a view forward (e.g. the grid when a sweep starts). */
  | { type: 'showView'; view: PanelViewName }
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
  | { type: 'copyAnswer'; requestId: number; runId: string; answerId: string }
  /** Cancel the running sweep; finished cells are kept. */
  | { type: 'cancelSweep'; requestId: number; sweepId: string }
  /** Run the same sweep again (unchanged cells come from the cache). */
  | { type: 'rerunSweep'; requestId: number; sweepId: string }
  /** Export the sweep's results (the host asks where and in which format). */
  | { type: 'exportSweep'; requestId: number; sweepId: string }
  /** Copy one sweep cell's answer to the clipboard. */
  | { type: 'copyCell'; requestId: number; sweepId: string; cellId: string }
  /** Open the two variants of the shown diff in VS Code's diff editor. */
  | { type: 'openDiffEditor'; requestId: number };

export type WebviewMessageType = WebviewToHost['type'];

const stringFields: Record<WebviewMessageType, readonly string[]> = {
  ready: [],
  stop: [],
  rerun: [],
  selectModels: [],
  showRenderedPrompt: ['runId'],
  openLink: ['href'],
  copyAnswer: ['runId', 'answerId'],
  cancelSweep: ['sweepId'],
  rerunSweep: ['sweepId'],
  exportSweep: ['sweepId'],
  copyCell: ['sweepId', 'cellId'],
  openDiffEditor: [],
};

/** The key of a grid cell (all repeats of one variant × model × case × params). */
export function gridCellKey(cell: Pick<SweepCellView, 'variant' | 'model' | 'caseIndex' | 'paramsIndex'>): string {
  return `${cell.variant}\u0000${cell.model}\u0000${cell.caseIndex}\u0000${cell.paramsIndex}`;
}

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
