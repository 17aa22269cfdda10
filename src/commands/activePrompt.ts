import * as vscode from 'vscode';

/** The `.prompt` document a command acts on: the one given, else the active editor's. */
export async function activePromptDocument(target?: unknown): Promise<vscode.TextDocument | undefined> {
  if (target instanceof vscode.Uri) return vscode.workspace.openTextDocument(target);
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === 'dotprompt') return editor.document;
  const open = vscode.l10n.t('Open a .prompt file');
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: open a .prompt file first, then run this command.'), open);
  if (choice === open) {
    const files = await vscode.workspace.findFiles('**/*.prompt', '**/node_modules/**', 200);
    const picked = await vscode.window.showQuickPick(files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { placeHolder: vscode.l10n.t('Which prompt?') });
    if (picked) {
      const document = await vscode.workspace.openTextDocument(picked.uri);
      await vscode.window.showTextDocument(document);
      return document;
    }
  }
  return undefined;
}
