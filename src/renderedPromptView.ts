import * as vscode from 'vscode';
import type { ChatMessageView } from './core/protocol';
import type { RunController } from './runController';

export const renderedScheme = 'promptloop-rendered';

interface RenderedContent {
  title: string;
  messages: ChatMessageView[];
  options: Record<string, unknown>;
  format?: unknown;
  model?: string;
  inputLabel: string;
}

/** A read-only Markdown document with the exact messages, options and format sent to Ollama. */
export class RenderedPromptView implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  private constructor(private readonly runs: RunController) {}

  static register(context: vscode.ExtensionContext, runs: RunController): RenderedPromptView {
    const view = new RenderedPromptView(runs);
    context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(renderedScheme, view), view.changed);
    return view;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? vscode.l10n.t('Nothing rendered yet.');
  }

  /** Shows what a run sent. */
  async showRun(runId: string): Promise<void> {
    const run = [this.runs.currentRun, this.runs.state().previousRun].find((r) => r?.runId === runId);
    if (!run) throw new Error(vscode.l10n.t('That run is no longer available.'));
    await this.open({ title: run.promptName, messages: run.messages, options: run.options, format: run.format, inputLabel: run.inputLabel, model: run.answers.map((a) => a.model).join(', ') });
  }

  /** Renders a document with its current input and shows the result. */
  async showDocument(document: vscode.TextDocument, input: { label: string; input: Record<string, unknown> }): Promise<void> {
    const rendered = await this.runs.render(document, input.input);
    if (!rendered) return;
    const title = document.uri.path.split('/').pop()?.replace(/\.prompt$/i, '') ?? 'prompt';
    await this.open({ title, messages: rendered.messages.map((m) => ({ role: m.role, content: m.content, images: m.images?.length })), options: rendered.options, format: rendered.format, inputLabel: input.label, model: rendered.model });
  }

  private async open(content: RenderedContent): Promise<void> {
    const uri = vscode.Uri.from({ scheme: renderedScheme, path: `/${content.title} (rendered).md` });
    this.contents.set(uri.toString(), toMarkdown(content));
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }
}

function toMarkdown(content: RenderedContent): string {
  const fence = (text: string) => {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    const ticks = '`'.repeat(longest + 1);
    return `${ticks}text\n${text}\n${ticks}`;
  };
  const lines = [`# ${content.title} — rendered`, '', `Input: ${content.inputLabel}${content.model ? ` · Model: ${content.model}` : ''}`, ''];
  for (const message of content.messages) {
    lines.push(`## ${message.role}${message.images ? ` (+${message.images} image${message.images > 1 ? 's' : ''})` : ''}`, '', fence(message.content), '');
  }
  lines.push('## options', '', '```json', JSON.stringify(content.options, null, 2), '```', '');
  if (content.format !== undefined) lines.push('## format', '', '```json', JSON.stringify(content.format, null, 2), '```', '');
  return lines.join('\n');
}
