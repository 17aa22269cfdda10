/**
 * One run: a rendered prompt streamed from several models side by side. Owns the
 * run's data (the RunView the panel replays after a reload), limits requests in
 * flight per host, and coalesces streamed text into few `chunks` messages.
 */
import type { AnswerChunk, AnswerView, HostToWebview, RunView } from './protocol';
import type { ChatClient, ChatOutcome } from './ollamaClient';
import { streamChat } from './ollamaClient';
import type { OllamaChatMessage } from './prompt';

export interface RunTarget {
  model: string;
  host: string;
}

export interface RunSpec {
  runId: string;
  promptName: string;
  promptPath: string;
  inputLabel: string;
  input: Record<string, unknown>;
  messages: OllamaChatMessage[];
  options: Record<string, unknown>;
  format?: string | Record<string, unknown>;
  targets: RunTarget[];
}

export interface RunSessionDeps {
  clientFor(host: string): ChatClient;
  /** Requests in flight at once per host. */
  parallelPerHost: number;
  idleTimeoutMs: number;
  emit(message: HostToWebview): void;
  /** How often buffered text is sent (ms). */
  flushIntervalMs?: number;
  /** Told of every finished answer, e.g. to offer pulling a missing model. */
  onOutcome?(target: RunTarget, outcome: ChatOutcome): void;
}

/** Streams one run; `done` settles when every answer has finished, stopped or failed. */
export class RunSession {
  readonly view: RunView;
  readonly done: Promise<RunView>;
  private readonly controllers = new Map<string, AbortController>();
  private pending = new Map<string, AnswerChunk>();
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly spec: RunSpec,
    private readonly deps: RunSessionDeps,
  ) {
    this.view = {
      runId: spec.runId,
      promptName: spec.promptName,
      promptPath: spec.promptPath,
      inputLabel: spec.inputLabel,
      input: spec.input,
      messages: spec.messages.map((m) => ({ role: m.role, content: m.content, ...(m.images?.length ? { images: m.images.length } : {}) })),
      options: spec.options,
      format: spec.format,
      startedAt: Date.now(),
      answers: spec.targets.map((target, index) => ({
        answerId: `${spec.runId}:${index}`,
        model: target.model,
        host: target.host,
        status: 'queued',
        text: '',
      })),
    };
    this.done = this.runAll();
  }

  get running(): boolean {
    return this.view.answers.some((a) => a.status === 'queued' || a.status === 'loading' || a.status === 'streaming');
  }

  /** Stops every stream of this run; finished and partial answers are kept. */
  stop(): void {
    this.stopped = true;
    for (const controller of this.controllers.values()) controller.abort();
    for (const answer of this.view.answers) {
      if (answer.status === 'queued') this.update(answer, { status: 'stopped' });
    }
  }

  private async runAll(): Promise<RunView> {
    const byHost = new Map<string, AnswerView[]>();
    for (const answer of this.view.answers) {
      const list = byHost.get(answer.host) ?? [];
      list.push(answer);
      byHost.set(answer.host, list);
    }
    await Promise.all(
      [...byHost.entries()].map(async ([host, answers]) => {
        const queue = [...answers];
        const workers = Array.from({ length: Math.max(1, Math.min(this.deps.parallelPerHost, queue.length)) }, async () => {
          for (let answer = queue.shift(); answer; answer = queue.shift()) {
            if (this.stopped) break;
            await this.runOne(host, answer);
          }
        });
        await Promise.all(workers);
      }),
    );
    this.flush();
    this.deps.emit({ type: 'runFinished', runId: this.view.runId });
    return this.view;
  }

  private async runOne(host: string, answer: AnswerView): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(answer.answerId, controller);
    this.update(answer, { status: 'loading' });
    const outcome = await streamChat(
      this.deps.clientFor(host),
      { model: answer.model, messages: this.spec.messages, options: this.spec.options, format: this.spec.format },
      {
        onFirstChunk: () => this.update(answer, { status: 'streaming' }),
        onText: (text, thinking) => this.buffer(answer, text, thinking),
      },
      { host, signal: controller.signal, idleTimeoutMs: this.deps.idleTimeoutMs },
    );
    this.controllers.delete(answer.answerId);
    this.flush();
    // The outcome's text is authoritative (the buffer only fed the panel).
    answer.text = outcome.text;
    if (outcome.thinking) answer.thinking = outcome.thinking;
    this.update(answer, { status: outcome.status, error: outcome.error, metrics: outcome.metrics });
    this.deps.onOutcome?.({ model: answer.model, host }, outcome);
  }

  private buffer(answer: AnswerView, text: string, thinking: string): void {
    answer.text += text;
    if (thinking) answer.thinking = (answer.thinking ?? '') + thinking;
    const chunk = this.pending.get(answer.answerId) ?? { answerId: answer.answerId };
    if (text) chunk.text = (chunk.text ?? '') + text;
    if (thinking) chunk.thinking = (chunk.thinking ?? '') + thinking;
    this.pending.set(answer.answerId, chunk);
    this.flushTimer ??= setTimeout(() => this.flush(), this.deps.flushIntervalMs ?? 50);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.size === 0) return;
    const chunks = [...this.pending.values()];
    this.pending = new Map();
    this.deps.emit({ type: 'chunks', runId: this.view.runId, chunks });
  }

  private update(answer: AnswerView, change: Pick<AnswerView, 'status'> & Partial<Pick<AnswerView, 'error' | 'metrics'>>): void {
    // Text streamed so far must reach the panel before the status that ends it.
    this.flush();
    answer.status = change.status;
    if (change.error) answer.error = change.error;
    if (change.metrics) answer.metrics = change.metrics;
    this.deps.emit({ type: 'answerUpdated', runId: this.view.runId, answerId: answer.answerId, status: answer.status, error: answer.error, metrics: answer.metrics });
  }
}
