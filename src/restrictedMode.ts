import * as vscode from 'vscode';
import type { OllamaService } from './ollamaService';

/** Settings a folder may not choose for itself before the user trusts it (see package.json capabilities). */
export const restrictedSettings = ['ollamaHost', 'ollamaHosts', 'storePath'] as const;

/**
 * In an untrusted folder, says once which of its own settings are ignored and
 * where prompts go instead, with a way to trust the folder.
 */
export function explainRestrictedMode(context: vscode.ExtensionContext, ollama: OllamaService): void {
  if (vscode.workspace.isTrusted) return;
  void namedByTheFolder().then((ignored) => {
    if (ignored.length === 0) return;
    const manage = vscode.l10n.t('Manage Workspace Trust');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t('Prompt Loop is in Restricted Mode: this folder’s {0} {1} ignored until you trust it. Prompts go to {2}.', ignored.map((k) => `promptLoop.${k}`).join(', '), ignored.length === 1 ? 'is' : 'are', ollama.host),
        manage,
      )
      .then((choice) => {
        if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      });
  });
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: this folder is trusted; its own settings apply now.'))));
}

/**
 * The restricted settings the folder sets for itself. VS Code hides an untrusted
 * folder's values of these settings from the configuration API, so the folder's
 * settings files are read (as text) to tell the user what is being ignored.
 */
async function namedByTheFolder(): Promise<string[]> {
  const files = (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'));
  if (vscode.workspace.workspaceFile?.scheme === 'file') files.push(vscode.workspace.workspaceFile);
  const found = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    } catch {
      continue;
    }
    for (const key of restrictedSettings) if (new RegExp(`"promptLoop\\.${key}"\\s*:`).test(text)) found.add(key);
  }
  return restrictedSettings.filter((key) => found.has(key));
}
