import * as vscode from 'vscode';
import * as path from 'node:path';
import type { PanelState, RunView, WebviewToHost } from './core/protocol';
import type { RenderedPrompt } from './core/prompt';
import { folderPartialResolver, PromptParseError, PromptRenderError, renderPrompt, toOllamaModelName } from './core/prompt';
import { RunSession } from './core/runSession';
import type { ChosenInput, InputChooser } from './inputs';
import type { OllamaService } from './ollamaService';
import type { PromptLoopPanel } from './panel/promptLoopPanel';
import type { RunArchive } from './runArchive';
import { commandIds } from './commandIds';

const lastRunsKey = 'promptLoop.lastRuns';
/** Answers longer than this are cut when kept for the next window (the full text stays in the run). */
const persistedTextLimit = 200_000;

export interface RunRequest {
  /** Use this input instead of the remembered one. */
  input?: ChosenInput;
  /** Ask which input to use. */
  pickInput?: boolean;
  /** Use these models instead of the selection. */
  models?: string[];
}

/**
 * Runs the prompt in an editor against the chosen models and feeds the panel.
 * Keeps the current and previous run so a re-run shows the earlier answers until
 * new ones arrive, and so the panel comes back after a window reload.
 */
export class RunController implements vscode.Disposable {
  private session: RunSession | undefined;
  private previousRun: RunView | undefined;
  private restoredRun: RunView | undefined;
  private lastDocument: vscode.Uri | undefined;
  private readonly finished = new vscode.EventEmitter<RunView>();
  /** Fires when a run has finished (all answers done, stopped or failed). */
  readonly onDidFinishRun = this.finished.event;
  private panel!: PromptLoopPanel;

  constructor(
    private readonly ollama: OllamaService,
    private readonly archive: RunArchive,
    private readonly inputs: InputChooser,
    private readonly workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const saved = workspaceState.get<{ run?: RunView; previousRun?: RunView }>(lastRunsKey);
    this.restoredRun = saved?.run;
    this.previousRun = saved?.previousRun;
  }

  attach(panel: PromptLoopPanel): void {
    this.panel = panel;
  }

  get currentRun(): RunView | undefined {
    return this.session?.view ?? this.restoredRun;
  }

  state(): PanelState {
    return { run: this.currentRun, previousRun: this.previousRun, running: !!this.session?.running };
  }

  async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'stop':
        this.stop();
        return;
      case 'rerun':
        await this.rerun();
        return;
      case 'selectModels':
        await vscode.commands.executeCommand(commandIds.selectModels);
        return;
      case 'showRenderedPrompt':
        await vscode.commands.executeCommand(commandIds.showRenderedPrompt, message.runId);
        return;
      case 'openLink':
        await this.openLink(message.href);
        return;
      case 'copyAnswer': {
        const answer = this.currentRun?.answers.find((a) => a.answerId === message.answerId) ?? this.previousRun?.answers.find((a) => a.answerId === message.answerId);
        if (!answer) throw new Error(vscode.l10n.t('That answer is no longer available.'));
        await vscode.env.clipboard.writeText(answer.text);
        return;
      }
      case 'ready':
        return;
    }
  }

  /** Renders the document with an input and streams it from every selected model. */
  async run(document: vscode.TextDocument, request: RunRequest = {}): Promise<RunView | undefined> {
    const input = request.input ?? (request.pickInput ? await this.inputs.pick(document) : await this.inputs.current(document));
    if (!input) return undefined;
    if (request.input) await this.inputs.remember(document, request.input);

    const rendered = await this.render(document, input.input);
    if (!rendered) return undefined;
    const models = request.models ?? (await this.modelsFor(rendered));
    if (models.length === 0) return undefined;

    this.stop();
    const earlier = this.currentRun;
    if (earlier) this.previousRun = earlier;
    this.restoredRun = undefined;
    this.lastDocument = document.uri;
    const host = this.ollama.host;
    const timeoutSeconds = vscode.workspace.getConfiguration('promptLoop').get<number>('requestTimeoutSeconds', 300);
    const fileName = path.basename(document.uri.path).replace(/\.prompt$/i, '');
    const outcomes: { model: string; kind?: string }[] = [];
    const kept: Promise<void>[] = [];
    const runId = `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
    const session: RunSession = new RunSession(
      {
        runId,
        promptName: fileName,
        promptPath: document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString(),
        inputLabel: input.label,
        input: rendered.input,
        messages: rendered.messages,
        options: rendered.options,
        format: rendered.format,
        targets: models.map((model) => ({ model, host })),
      },
      {
        clientFor: (h) => this.ollama.client(h),
        parallelPerHost: Math.max(1, vscode.workspace.getConfiguration('promptLoop').get<number>('parallelRequests', 1)),
        idleTimeoutMs: Math.max(5, timeoutSeconds) * 1000,
        emit: (message) => this.panel.post(message),
        onOutcome: (target, outcome) => {
          outcomes.push({ model: target.model, kind: outcome.error?.kind });
          // Stored answers can be rated: tell the panel the answer's key once it is kept.
          kept.push(this.archive.keep(document, rendered, input.input, target.model, target.host, outcome, runId).then((answerKey) => {
            const answer = session.view.answers.find((a) => a.model === target.model && a.host === target.host);
            if (!answer || !answerKey) return;
            answer.answerKey = answerKey;
            this.panel.post({ type: 'answerUpdated', runId, answerId: answer.answerId, status: answer.status, error: answer.error, metrics: answer.metrics, answerKey });
          }));
        },
      },
    );
    this.session = session;
    this.panel.bringForward('run');
    this.panel.post({ type: 'runStarted', run: session.view, previousRun: this.previousRun });
    await vscode.commands.executeCommand('setContext', 'promptLoop.running', true);
    this.log.info(`Run ${session.view.runId}: ${fileName} with ${input.label} on ${models.join(', ')} at ${host}`);

    const view = await session.done;
    await Promise.all(kept);
    if (this.session === session) await vscode.commands.executeCommand('setContext', 'promptLoop.running', false);
    await this.persist();
    this.finished.fire(view);
    void this.reportFailures(document, outcomes, host, request.models);
    return view;
  }

  /** Runs the last run's document again with its remembered input. */
  async rerun(): Promise<void> {
    const uri = this.lastDocument ?? (this.currentRun ? vscode.Uri.file(this.currentRun.promptPath) : undefined);
    if (!uri) throw new Error(vscode.l10n.t('Nothing to run again yet: open a .prompt file and run it.'));
    const document = await vscode.workspace.openTextDocument(uri);
    await this.run(document);
  }

  stop(): void {
    this.session?.stop();
  }

  get running(): boolean {
    return !!this.session?.running;
  }

  /** Renders a document's prompt; shows an actionable error and returns undefined when it cannot. */
  async render(document: vscode.TextDocument, input: Record<string, unknown>): Promise<RenderedPrompt | undefined> {
    const folder = path.dirname(document.uri.fsPath);
    try {
      return await renderPrompt(document.getText(), input, { resolvePartial: document.uri.scheme === 'file' ? folderPartialResolver(folder) : undefined });
    } catch (error) {
      const where = (error instanceof PromptParseError || error instanceof PromptRenderError) && error.line !== undefined ? vscode.l10n.t(' (line {0})', error.line + 1) : '';
      const show = vscode.l10n.t('Show Problems');
      const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: cannot render {0}{1}: {2}', path.basename(document.uri.path), where, error instanceof Error ? error.message : String(error)), show);
      if (choice === show) await vscode.commands.executeCommand('workbench.actions.view.problems');
      return undefined;
    }
  }

  /** The models to run: the workspace selection, else the frontmatter model, else ask. */
  async modelsFor(rendered: RenderedPrompt | undefined): Promise<string[]> {
    const selected = selectedModels();
    if (selected.length > 0) return selected;
    if (rendered?.model) return [rendered.model];
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: no model chosen. Add `model: ollama/<name>` to the frontmatter or select models to compare.'), vscode.l10n.t('Select Models'));
    if (choice) await vscode.commands.executeCommand(commandIds.selectModels);
    return selectedModels();
  }

  /** Turns failures into actions; after a Retry or a successful pull the same run goes again. */
  private async reportFailures(document: vscode.TextDocument, outcomes: { model: string; kind?: string }[], host: string, models: string[] | undefined): Promise<void> {
    if (outcomes.some((o) => o.kind === 'unreachable')) {
      if (await this.ollama.reportUnreachable(host)) await this.run(document, { models });
      return;
    }
    let pulled = false;
    for (const missing of outcomes.filter((o) => o.kind === 'modelMissing')) {
      if (await this.ollama.offerPull(missing.model, host)) pulled = true;
    }
    if (pulled) await this.run(document, { models });
  }

  private async openLink(href: string): Promise<void> {
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(href, true);
    } catch {
      throw new Error(vscode.l10n.t('Not a link that can be opened: {0}', href));
    }
    if (!['http', 'https', 'mailto'].includes(uri.scheme)) throw new Error(vscode.l10n.t('Only http, https and mailto links open from answers.'));
    await vscode.env.openExternal(uri);
  }

  private async persist(): Promise<void> {
    const trim = (run: RunView | undefined): RunView | undefined =>
      run && { ...run, answers: run.answers.map((a) => ({ ...a, text: a.text.length > persistedTextLimit ? a.text.slice(0, persistedTextLimit) : a.text })) };
    try {
      await this.workspaceState.update(lastRunsKey, { run: trim(this.currentRun), previousRun: trim(this.previousRun) });
    } catch (error) {
      this.log.warn(`Could not keep the last run for the next window: ${String(error)}`);
    }
  }

  dispose(): void {
    this.session?.stop();
    this.finished.dispose();
  }
}

/** The models selected for the workspace (setting promptLoop.models), as Ollama names. */
export function selectedModels(): string[] {
  const configured = vscode.workspace.getConfiguration('promptLoop').get<string[]>('models', []);
  return configured.map((name) => toOllamaModelName(name)).filter((name): name is string => !!name);
}
