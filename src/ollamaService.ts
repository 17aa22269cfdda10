import * as vscode from 'vscode';
import type { Ollama } from 'ollama';
import type { InstalledModel } from './core/ollamaClient';
import { classifyOllamaError, createOllama, explicitSetting, formatBytes, listModels, resolveOllamaHost } from './core/ollamaClient';

const modelListTtlMs = 30_000;

/**
 * The extension host's access to Ollama: the configured host, one ollama-js
 * client per host, a cached model list, and the errors users can act on
 * (Retry / Open Settings, Pull model with progress and cancel).
 */
export class OllamaService implements vscode.Disposable {
  private readonly clients = new Map<string, Ollama>();
  private modelCache = new Map<string, { at: number; models: Promise<InstalledModel[]> }>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the host setting changes or the model list was refreshed. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('promptLoop.ollamaHost')) {
          this.modelCache.clear();
          this.changed.fire();
        }
      }),
      // Trusting the folder can change the host (its own setting now applies).
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.modelCache.clear();
        this.changed.fire();
      }),
    );
  }

  /** The Ollama host: the setting when the user set it, else OLLAMA_HOST, else the default. */
  get host(): string {
    const inspected = vscode.workspace.getConfiguration('promptLoop').inspect<string>('ollamaHost');
    return resolveOllamaHost(explicitSetting(inspected, vscode.workspace.isTrusted), process.env.OLLAMA_HOST);
  }

  client(host = this.host): Ollama {
    let client = this.clients.get(host);
    if (!client) {
      client = createOllama(host);
      this.clients.set(host, client);
    }
    return client;
  }

  /** The server's models, cached briefly; rejects when the server is unreachable. */
  models(options: { refresh?: boolean; host?: string } = {}): Promise<InstalledModel[]> {
    const host = options.host ?? this.host;
    const cached = this.modelCache.get(host);
    if (cached && !options.refresh && Date.now() - cached.at < modelListTtlMs) return cached.models;
    const models = listModels(this.client(host));
    this.modelCache.set(host, { at: Date.now(), models });
    models.then(
      () => this.changed.fire(),
      (error: unknown) => {
        this.modelCache.delete(host);
        this.log.warn(`Listing models at ${host} failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    return models;
  }

  /** The model list, or undefined when the server cannot be asked (no error shown). */
  async modelsQuietly(): Promise<InstalledModel[] | undefined> {
    try {
      return await this.models();
    } catch {
      return undefined;
    }
  }

  /** Tells the user the server is not reachable, with Retry and Open Settings. Resolves true on Retry. */
  async reportUnreachable(host = this.host, detail?: string): Promise<boolean> {
    const retry = vscode.l10n.t('Retry');
    const settings = vscode.l10n.t('Open Settings');
    const choice = await vscode.window.showErrorMessage(
      vscode.l10n.t('Prompt Loop: Ollama is not reachable at {0}. Start it with `ollama serve`, or set promptLoop.ollamaHost.', host) + (detail ? ` (${detail})` : ''),
      retry,
      settings,
    );
    if (choice === settings) await vscode.commands.executeCommand('workbench.action.openSettings', 'promptLoop.ollamaHost');
    return choice === retry;
  }

  /** Offers to pull a model the server does not have. Resolves true when it was pulled. */
  async offerPull(model: string, host = this.host): Promise<boolean> {
    const pull = vscode.l10n.t('Pull {0}', model);
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: the model "{0}" is not installed on {1}.', model, host), pull);
    if (choice !== pull) return false;
    return this.pull(model, host);
  }

  /** Pulls a model with a cancellable progress notification. */
  async pull(model: string, host = this.host): Promise<boolean> {
    const client = createOllama(host); // its own client, so cancelling aborts only the pull
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pulling {0}', model), cancellable: true },
      async (progress, token) => {
        const cancel = token.onCancellationRequested(() => client.abort());
        let reported = 0;
        try {
          const stream = await client.pull({ model, stream: true });
          for await (const part of stream) {
            if (part.total && part.completed !== undefined) {
              const percent = Math.floor((part.completed / part.total) * 100);
              progress.report({ message: `${part.status} ${formatBytes(part.completed)} / ${formatBytes(part.total)}`, increment: Math.max(0, percent - reported) });
              reported = Math.max(reported, percent);
            } else {
              progress.report({ message: part.status });
            }
          }
          this.modelCache.delete(host);
          this.changed.fire();
          void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: pulled {0}.', model));
          return true;
        } catch (error) {
          if (token.isCancellationRequested) {
            void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: pulling {0} was cancelled.', model));
            return false;
          }
          const problem = classifyOllamaError(error, host, model);
          this.log.error(`Pull of ${model} failed: ${problem.message}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: pulling {0} failed: {1}', model, problem.message));
          return false;
        } finally {
          cancel.dispose();
        }
      },
    );
  }

  dispose(): void {
    for (const client of this.clients.values()) client.abort();
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
