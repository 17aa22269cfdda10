import * as vscode from 'vscode';
import * as path from 'node:path';
import { appendCase, parseCases, sameInput } from '../core/cases';
import { promptFamily } from '../core/cases';
import type { Services } from '../services';

/**
 * Prompt Loop: Add Test Case — appends the input of the last run to the
 * family's cases file (created as `<family>.cases.yaml` when there is none).
 */
export async function addTestCase(services: Services): Promise<void> {
  const run = services.runs.currentRun;
  if (!run || !path.isAbsolute(run.promptPath)) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: run a prompt first; its input becomes the new test case.'));
    return;
  }
  const promptUri = vscode.Uri.file(run.promptPath);
  const family = await services.families.familyOf(promptUri);
  const { folder, family: name } = promptFamily(run.promptPath);
  const existing = family && (await services.families.cases(family));
  const uri = existing?.uri ?? vscode.Uri.file(path.join(folder, `${name}.cases.yaml`));
  let text = '';
  if (existing) {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const parsed = parseCases(text, uri.fsPath);
    const duplicate = parsed.cases.find((c) => sameInput(c.input, run.input));
    if (duplicate) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: that input is already case {0} of {1}.', duplicate.index + 1, path.basename(uri.fsPath)));
      return;
    }
  } else {
    text = `# Test cases shared by ${name}.prompt and its variants (${name}.*.prompt): one input per item.\n`;
  }
  const updated = appendCase(text, uri.fsPath, run.input);
  // Through an edit when the file is open, so the user can undo it and unsaved edits are kept.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, open.lineCount, 0), appendCase(open.getText(), uri.fsPath, run.input));
    await vscode.workspace.applyEdit(edit);
    await open.save();
  } else {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(updated));
  }
  services.families.refresh();
  const count = parseCases(open ? open.getText() : updated, uri.fsPath).cases.length;
  const show = vscode.l10n.t('Open Cases');
  void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: added case {0} to {1}.', count, path.basename(uri.fsPath)), show).then((choice) => {
    if (choice === show) void vscode.window.showTextDocument(uri);
  });
}
