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
  /** The stored answer's key once finished: ratings attach to it. */
  answerKey?: string;
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

// ---------------------------------------------------------------- ratings and the feedback loop

/** The user's rating of one answer. */
export interface RatingView {
  answerKey: string;
  /** 1–5; thumbs up = 5, thumbs down = 1. */
  score: number;
  comment?: string;
  tags?: string[];
  updatedAt: number;
}

/** Mean score of a variant (over all models, or on one model) with its 95% interval. */
export interface VariantScoreView {
  variant: string;
  /** Undefined: every model together. */
  model?: string;
  n: number;
  mean: number;
  /** Half-width of the 95% confidence interval; undefined below 2 ratings. */
  halfWidth?: number;
  /** Share of ratings of 4 or 5. */
  shareHigh: number;
  /** 1-based rank among the variants (variant rows only). */
  rank?: number;
  /** Variants the data cannot tell this one apart from. */
  tiedWith?: string[];
}

/** A Bradley–Terry strength from blind A/B verdicts (log scale, centred on 0). */
export interface StrengthView {
  /** A variant name, or "variant · model" when comparing models. */
  player: string;
  logStrength: number;
  low: number;
  high: number;
  comparisons: number;
}

/** What the ratings say about a family's variants. */
export interface ScoresView {
  family: string;
  variants: VariantScoreView[];
  /** One sentence: a winner only when the data can tell; else that they cannot be told apart yet. */
  verdict: string;
  pairs: number;
  strengths?: StrengthView[];
  /** winRate[i][j]: share of i's blind comparisons with j that i won (ties half); null = never compared. */
  winRate?: { players: string[]; rates: (number | null)[][] };
  /** A variant accepted from a suggestion, against its parent, on the cases both were rated on. */
  change?: { parent: string; child: string; difference: number; halfWidth: number; distinguishable: boolean; nParent: number; nChild: number };
  /** Cases where the parent's answer was rated 4–5 and the child's lower. */
  regressions?: { caseLabel: string; model: string; parentScore: number; childScore: number }[];
}

/** Two answers to the same case, shown without names in random order. */
export interface BlindPairView {
  pairId: string;
  family: string;
  caseLabel: string;
  input: Record<string, unknown>;
  left: string;
  right: string;
  /** Pairs judged in this session, and pairs still available. */
  judged: number;
  remaining: number;
}

export type SuggestionStatus = 'streaming' | 'ok' | 'repaired' | 'rejected' | 'accepted' | 'applied' | 'discarded';

/** One suggested rewrite. */
export interface SuggestionView {
  id: string;
  technique: string;
  /** "Clarify the instruction" … */
  techniqueLabel: string;
  summary?: string;
  status: SuggestionStatus;
  /** What was repaired, or why it was rejected. */
  notes: string[];
  /** Word diff of the body against the current prompt. */
  diff: { value: string; added?: boolean; removed?: boolean }[];
  /** The variant name it was saved as. */
  acceptedAs?: string;
}

/** A run of the optimizer: its critique and suggestions, as they stream. */
export interface SuggestionsView {
  sessionId: string;
  family: string;
  /** The variant being improved ('' = base) and its file name. */
  parentVariant: string;
  parentLabel: string;
  optimizerModel: string;
  state: 'running' | 'done' | 'failed' | 'stopped';
  critique?: string;
  error?: string;
  /** How many rated answers the optimizer saw. */
  evidence: number;
  items: SuggestionView[];
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
  /** Ratings of the answers shown (run and sweep), by answer key. */
  ratings?: RatingView[];
  scores?: ScoresView;
  blind?: BlindPairView;
  suggestions?: SuggestionsView;
}

export type PanelViewName = 'run' | 'sweep' | 'diff' | 'scores' | 'blind' | 'suggestions';

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
  | { type: 'answerUpdated'; runId: string; answerId: string; status: AnswerStatus; error?: AnswerError; metrics?: AnswerMetrics; answerKey?: string }
  | { type: 'runFinished'; runId: string }
  | { type: 'sweepStarted'; sweep: SweepView }
  /** Coalesced cell changes, with the progress and summaries they lead to. */
  | { type: 'sweepCells'; sweepId: string; updates: SweepCellUpdate[]; progress: SweepProgress; summaries?: SweepSummary[]; consistency?: CellConsistency[] }
  | { type: 'sweepFinished'; sweepId: string; state: SweepState; progress: SweepProgress }
  | { type: 'variantDiff'; diff: VariantDiffView }
  /** Brings a view forward (e.g. the grid when a sweep starts). */
  | { type: 'showView'; view: PanelViewName }
  /** Ratings that changed (a removed rating comes with `removed`). */
  | { type: 'ratings'; ratings: RatingView[]; removed?: string[] }
  | { type: 'scores'; scores: ScoresView }
  /** The next blind pair; undefined when there is none left. */
  | { type: 'blindPair'; pair?: BlindPairView; message?: string }
  | { type: 'suggestions'; suggestions: SuggestionsView }
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
  | { type: 'openDiffEditor'; requestId: number }
  /** Rate an answer (replaces an earlier rating of it). */
  | { type: 'rate'; requestId: number; answerKey: string; score: number; comment?: string; tags?: string[] }
  | { type: 'clearRating'; requestId: number; answerKey: string }
  | { type: 'blindVerdict'; requestId: number; pairId: string; winner: 'left' | 'right' | 'tie'; comment?: string }
  | { type: 'blindSkip'; requestId: number; pairId: string }
  /** Start blind A/B on what the panel shows (the sweep's family). */
  | { type: 'startBlind'; requestId: number }
  | { type: 'suggestRewrites'; requestId: number }
  | { type: 'stopSuggestions'; requestId: number }
  | { type: 'suggestionAction'; requestId: number; suggestionId: string; action: 'openDiff' | 'accept' | 'apply' | 'discard' | 'runProof' };

export type WebviewMessageType = WebviewToHost['type'];

/** How each field of a webview message is checked. */
type FieldRule =
  | 'id' // a non-empty string of at most 4096 characters
  | 'text?' // an optional string of at most 10,000 characters
  | 'score' // an integer 1–5
  | 'tags?' // an optional array of at most 20 non-empty strings of at most 64 characters
  | readonly string[]; // one of these strings

const messageRules: Record<WebviewMessageType, Readonly<Record<string, FieldRule>>> = {
  ready: {},
  stop: {},
  rerun: {},
  selectModels: {},
  showRenderedPrompt: { runId: 'id' },
  openLink: { href: 'id' },
  copyAnswer: { runId: 'id', answerId: 'id' },
  cancelSweep: { sweepId: 'id' },
  rerunSweep: { sweepId: 'id' },
  exportSweep: { sweepId: 'id' },
  copyCell: { sweepId: 'id', cellId: 'id' },
  openDiffEditor: {},
  rate: { answerKey: 'id', score: 'score', comment: 'text?', tags: 'tags?' },
  clearRating: { answerKey: 'id' },
  blindVerdict: { pairId: 'id', winner: ['left', 'right', 'tie'], comment: 'text?' },
  blindSkip: { pairId: 'id' },
  startBlind: {},
  suggestRewrites: {},
  stopSuggestions: {},
  suggestionAction: { suggestionId: 'id', action: ['openDiff', 'accept', 'apply', 'discard', 'runProof'] },
};

function checkField(value: unknown, rule: FieldRule): boolean {
  if (Array.isArray(rule)) return typeof value === 'string' && rule.includes(value);
  switch (rule) {
    case 'id':
      return typeof value === 'string' && value.length > 0 && value.length <= 4096;
    case 'text?':
      return value === undefined || (typeof value === 'string' && value.length <= 10_000);
    case 'score':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5;
    case 'tags?':
      return value === undefined || (Array.isArray(value) && value.length <= 20 && value.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 64));
  }
  return false;
}

/**
 * Checks a message that arrived from the webview against the protocol.
 * Returns the typed message, or a reason it was rejected; never throws.
 * Fields the protocol does not name are dropped from the returned message.
 */
export function parseWebviewMessage(raw: unknown): { ok: true; message: WebviewToHost } | { ok: false; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const record = raw as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(messageRules, type)) return { ok: false, reason: `unknown type ${JSON.stringify(type)}` };
  if (typeof record.requestId !== 'number' || !Number.isSafeInteger(record.requestId)) return { ok: false, reason: 'requestId must be an integer' };
  const rules = messageRules[type as WebviewMessageType];
  const message: Record<string, unknown> = { type, requestId: record.requestId };
  for (const [field, rule] of Object.entries(rules)) {
    const value = record[field];
    if (!checkField(value, rule)) return { ok: false, reason: `${field} is missing or malformed` };
    if (value !== undefined) message[field] = value;
  }
  return { ok: true, message: message as WebviewToHost };
}

/** The key of a grid cell (all repeats of one variant × model × case × params). */
export function gridCellKey(cell: Pick<SweepCellView, 'variant' | 'model' | 'caseIndex' | 'paramsIndex'>): string {
  return `${cell.variant}\u0000${cell.model}\u0000${cell.caseIndex}\u0000${cell.paramsIndex}`;
}
