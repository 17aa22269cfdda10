/**
 * The Ollama client layer: one streamed chat with cancellation, an idle timeout
 * and metrics; the model list; errors turned into kinds the UI can act on.
 * Everything goes through ollama-js; nothing here knows about VS Code.
 */
import { Ollama } from 'ollama';
import type { ChatResponse, ModelResponse } from 'ollama';
import type { AnswerError, AnswerMetrics } from './protocol';
import type { OllamaChatMessage } from './prompt';

export const defaultOllamaHost = 'http://127.0.0.1:11434';

/**
 * Picks the Ollama host: an explicitly configured setting wins, then the
 * `OLLAMA_HOST` environment variable (in Ollama's own loose forms: `0.0.0.0`,
 * `host:port`, `https://host`), then the default.
 */
export function resolveOllamaHost(configured: string | undefined, env: string | undefined): string {
  const raw = configured?.trim() || env?.trim();
  if (!raw) return defaultOllamaHost;
  return normalizeHost(raw);
}

/** A setting's values by scope, as VS Code's `inspect()` gives them. */
export interface ScopedValues<T> {
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * The value the user set explicitly, most specific scope first. In an untrusted
 * workspace the workspace's own values are ignored: a folder must not choose the
 * server its prompts are sent to before the user trusts it.
 */
export function explicitSetting<T>(values: ScopedValues<T> | undefined, trusted: boolean): T | undefined {
  if (!values) return undefined;
  return trusted ? (values.workspaceFolderValue ?? values.workspaceValue ?? values.globalValue) : values.globalValue;
}

/** Turns Ollama's loose host spellings into a URL ollama-js accepts. */
export function normalizeHost(raw: string): string {
  let value = raw.trim().replace(/\/+$/, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = `http://${value}`;
  try {
    const url = new URL(value);
    // A server told to listen on every interface is reached on loopback.
    if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
    if (!url.port && url.protocol === 'http:') url.port = '11434';
    return url.origin;
  } catch {
    return value;
  }
}

/** The one ollama-js call this layer needs, narrowed so tests can pass a fake. */
export interface ChatClient {
  chat(request: {
    model: string;
    messages: OllamaChatMessage[];
    stream: true;
    options?: Record<string, unknown>;
    format?: string | object;
    keep_alive?: string | number;
    think?: boolean;
  }): Promise<AsyncIterable<ChatResponse> & { abort(): void }>;
}

export interface ChatRequest {
  model: string;
  messages: OllamaChatMessage[];
  options?: Record<string, unknown>;
  format?: string | Record<string, unknown>;
  keepAlive?: string | number;
  think?: boolean;
}

export interface ChatProgress {
  /** Called with new text as it streams (already split from thinking). */
  onText(text: string, thinking: string): void;
  /** Called once, when the first chunk of any kind arrives. */
  onFirstChunk?(): void;
}

export interface ChatOutcome {
  status: 'done' | 'stopped' | 'failed';
  text: string;
  thinking: string;
  metrics: AnswerMetrics;
  error?: AnswerError;
}

export interface StreamChatOptions {
  host: string;
  /** Aborting it stops this request only; the partial answer is kept. */
  signal?: AbortSignal;
  /** Give up when no chunk has arrived for this long (ms). 0 = never. */
  idleTimeoutMs?: number;
  now?: () => number;
}

/**
 * Streams one chat from Ollama. Never throws: a stop, a timeout, a cut stream or
 * a server error all end in an outcome that keeps whatever text arrived.
 */
export async function streamChat(client: ChatClient, request: ChatRequest, progress: ChatProgress, options: StreamChatOptions): Promise<ChatOutcome> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const metrics: AnswerMetrics = {};
  let text = '';
  let thinking = '';
  let sawDone = false;
  let timedOut = false;
  let iterator: (AsyncIterable<ChatResponse> & { abort(): void }) | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const idleMs = options.idleTimeoutMs ?? 0;
  const armIdle = () => {
    if (idleMs <= 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      timedOut = true;
      iterator?.abort();
    }, idleMs);
  };
  const onAbort = () => iterator?.abort();
  const finish = (status: ChatOutcome['status'], error?: AnswerError): ChatOutcome => {
    clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onAbort);
    metrics.totalMs = now() - started;
    return { status, text, thinking, metrics, error };
  };

  if (options.signal?.aborted) return finish('stopped');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  armIdle();
  try {
    iterator = await client.chat({
      model: request.model,
      messages: request.messages,
      stream: true,
      options: request.options,
      format: request.format,
      keep_alive: request.keepAlive,
      think: request.think,
    });
    // The request may have been stopped while it was being sent.
    if (options.signal?.aborted) iterator.abort();
    for await (const chunk of iterator) {
      armIdle();
      const piece = chunk.message?.content ?? '';
      const thought = chunk.message?.thinking ?? '';
      if (metrics.ttftMs === undefined && (piece || thought || chunk.done)) {
        metrics.ttftMs = now() - started;
        progress.onFirstChunk?.();
      }
      if (piece || thought) {
        text += piece;
        thinking += thought;
        progress.onText(piece, thought);
      }
      if (chunk.done) {
        sawDone = true;
        Object.assign(metrics, metricsFromFinalChunk(chunk));
      }
    }
    return finish('done');
  } catch (error) {
    if (timedOut) {
      const waited = Math.round(idleMs / 1000);
      const message = metrics.ttftMs === undefined
        ? `No answer from ${request.model} within ${waited} s; stopped waiting. A model that loads slowly needs a longer request timeout.`
        : `${request.model} stopped sending for ${waited} s; stopped waiting.${text ? ' The partial answer is kept.' : ''}`;
      return finish('failed', { kind: 'timeout', message });
    }
    if (options.signal?.aborted) return finish('stopped');
    if (sawDone) return finish('done');
    return finish('failed', classifyOllamaError(error, options.host, request.model, text.length > 0));
  }
}

/**
 * Whether a failure may go away by itself (a restarted runner, a dropped
 * connection, a busy server), so the same request is worth sending again.
 */
export function isTransientError(error: AnswerError): boolean {
  switch (error.kind) {
    case 'cut':
    case 'timeout':
    case 'unreachable':
      return true;
    case 'server':
      return error.httpStatus === undefined || error.httpStatus >= 500 || error.httpStatus === 429;
    default:
      return false;
  }
}

/** Reads Ollama's final-chunk counters (nanoseconds) into display metrics. */
export function metricsFromFinalChunk(chunk: Partial<ChatResponse>): AnswerMetrics {
  const ms = (ns: number | undefined) => (typeof ns === 'number' && ns > 0 ? ns / 1e6 : undefined);
  const metrics: AnswerMetrics = {
    promptTokens: chunk.prompt_eval_count,
    answerTokens: chunk.eval_count,
    loadMs: ms(chunk.load_duration),
    doneReason: chunk.done_reason || undefined,
  };
  if (chunk.eval_count && chunk.eval_duration) metrics.tokensPerSecond = chunk.eval_count / (chunk.eval_duration / 1e9);
  return metrics;
}

/** Turns whatever ollama-js threw into a kind and a sentence a user can act on. */
export function classifyOllamaError(error: unknown, host: string, model: string, hadText = false): AnswerError {
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { status_code?: unknown } | undefined)?.status_code;
  const code = errorCode(error);
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code) && !hadText) {
    return { kind: 'unreachable', message: `Ollama is not reachable at ${host} (${code}). Is \`ollama serve\` running?` };
  }
  if (status === 404 || /not found, try pulling it first|model ['"]?.*['"]? not found/i.test(message)) {
    return { kind: 'modelMissing', message: `The model "${model}" is not installed on ${host}. Pull it with "Prompt Loop: Pull Model" or \`ollama pull ${model}\`.` };
  }
  // An HTTP error answer first: its text may say "terminated" (a crashed runner) without a cut stream.
  if (typeof status === 'number') {
    return { kind: 'server', message: `Ollama at ${host} answered ${status}: ${message}`, httpStatus: status };
  }
  if (/did not receive done|terminated|socket|other side closed|premature close|aborted/i.test(message) || code === 'UND_ERR_SOCKET' || hadText) {
    return { kind: 'cut', message: `The stream from ${model} ended before it finished (${message}).${hadText ? ' The partial answer is kept.' : ''}` };
  }
  if (/fetch failed/i.test(message)) {
    return { kind: 'unreachable', message: `Ollama is not reachable at ${host}. Is \`ollama serve\` running?` };
  }
  return { kind: 'other', message };
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A model the server has, with what the model picker shows. */
export interface InstalledModel {
  name: string;
  sizeBytes: number;
  digest: string;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  modifiedAt?: string;
}

/** Lists the server's installed models (GET /api/tags). Throws ollama-js errors. */
export async function listModels(client: Pick<Ollama, 'list'>): Promise<InstalledModel[]> {
  const response = await client.list();
  return response.models.map((model: ModelResponse) => ({
    name: model.name,
    sizeBytes: model.size,
    digest: model.digest,
    family: model.details?.family || undefined,
    parameterSize: model.details?.parameter_size || undefined,
    quantization: model.details?.quantization_level || undefined,
    modifiedAt: model.modified_at ? new Date(model.modified_at).toISOString() : undefined,
  }));
}

/** Formats a byte count the way model pickers do: "2.0 GB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

/** Creates an ollama-js client for one host. */
export function createOllama(host: string): Ollama {
  return new Ollama({ host });
}
