import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { HostToWebview, PanelState, PanelViewName, WebviewToHost } from '../core/protocol';
import { parseWebviewMessage } from '../core/protocol';
import { panelHtml } from './panelHtml';

export const panelViewType = 'promptLoop.panel';

/** What the panel needs from the rest of the extension. */
export interface PanelHost {
  state(): PanelState;
  handle(message: WebviewToHost): Promise<void>;
}

/**
 * The Prompt Loop panel: one webview, restored after a reload by a serializer.
 * The host owns the data; the webview says `ready` and gets the whole state, so
 * anything posted before that is dropped rather than queued twice.
 */
export class PromptLoopPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  /** Messages from the webview dropped as malformed (for diagnostics and tests). */
  dropped = 0;
  /** The view the host last brought forward; replayed with the state after a reload. */
  private view: PanelViewName | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: PanelHost,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  static register(context: vscode.ExtensionContext, host: PanelHost, log: vscode.LogOutputChannel): PromptLoopPanel {
    const controller = new PromptLoopPanel(context.extensionUri, host, log);
    context.subscriptions.push(
      controller,
      vscode.window.registerWebviewPanelSerializer(panelViewType, {
        deserializeWebviewPanel: async (panel) => {
          controller.adopt(panel);
          return Promise.resolve();
        },
      }),
    );
    return controller;
  }

  /** The webview said `ready` and gets messages (before that they are covered by the state it asks for). */
  get isReady(): boolean {
    return !!this.panel && this.ready;
  }

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  /** Opens the panel beside the editor, or reveals it. */
  show(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      panelViewType,
      vscode.l10n.t('Prompt Loop'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [this.webviewRoot] },
    );
    this.adopt(panel);
  }

  /** Opens the panel and brings one of its views forward (the run, the sweep grid, the diff). */
  bringForward(view: PanelViewName, preserveFocus = true): void {
    this.view = view;
    this.show(preserveFocus);
    this.post({ type: 'showView', view });
  }

  /** Sends the whole state again (after the host's data changed behind the panel's back). */
  refreshState(): void {
    this.post({ type: 'state', state: { ...this.host.state(), view: this.view } });
  }

  /** Sends a message once the webview is ready; earlier ones are covered by the state it gets then. */
  post(message: HostToWebview): void {
    if (!this.panel || !this.ready) return;
    void this.panel.webview.postMessage(message);
  }

  private get webviewRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'prompt-file.svg');
    // Reset options so a restored panel uses this build's resource roots.
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.webviewRoot] };
    const asUri = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot, name)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: asUri('panel.js'),
      styleUris: [asUri('panel.css')],
      codiconUri: asUri('codicon.css'),
      // The webview's words come from the same l10n/bundle.l10n.*.json as the host's (undefined in English).
      l10nBundle: vscode.l10n.bundle,
      language: vscode.env.language,
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // Without retainContextWhenHidden the webview restarts when shown again and says ready.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
      }),
    );
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.dropped++;
      this.log.warn(`Dropped a malformed message from the panel: ${parsed.reason}`);
      return;
    }
    const message = parsed.message;
    if (message.type === 'ready') {
      this.ready = true;
      this.refreshState();
      this.post({ type: 'reply', requestId: message.requestId, ok: true });
      return;
    }
    try {
      await this.host.handle(message);
      this.post({ type: 'reply', requestId: message.requestId, ok: true });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.log.error(`Panel request ${message.type} failed: ${text}`);
      this.post({ type: 'reply', requestId: message.requestId, ok: false, error: text });
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
