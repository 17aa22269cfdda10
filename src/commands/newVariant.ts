import * as vscode from 'vscode';
import * as path from 'node:path';
import { validateVariantName, variantLabel, variantPath } from '../core/family';
import { workspaceRootFor } from '../familyIndex';
import type { Services } from '../services';
import { uriOfTreeArgument } from '../views/familyTree';
import { activePromptDocument } from './activePrompt';

/**
 * Prompt Loop: New Variant — copies the current prompt (unsaved text included)
 * to `<family>.<name>.prompt`, records where it came from, and opens it.
 */
export async function newVariant(services: Services, target?: unknown, name?: string): Promise<vscode.Uri | undefined> {
  const document = await activePromptDocument(uriOfTreeArgument(target));
  if (!document) return undefined;
  if (document.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: save this prompt as a file first; its variants go beside it.'));
    return undefined;
  }
  const family = await services.families.familyOf(document.uri);
  if (!family) return undefined;
  const parent = family.variants.find((v) => v.path === document.uri.fsPath)?.variant ?? '';
  const existing = family.variants.map((v) => v.variant).filter(Boolean);
  const chosen = name ?? (await vscode.window.showInputBox({
    title: vscode.l10n.t('New variant of {0}', path.basename(document.uri.fsPath)),
    prompt: vscode.l10n.t('The variant is saved as {0}.<name>.prompt and shares the test cases of {0}.', family.name),
    placeHolder: vscode.l10n.t('e.g. concise, steps, fewshot'),
    validateInput: (value) => validateVariantName(value, existing),
  }));
  if (chosen === undefined) return undefined;
  const problem = validateVariantName(chosen, existing);
  if (problem) throw new Error(problem);

  const uri = vscode.Uri.file(variantPath(family, chosen));
  try {
    await vscode.workspace.fs.stat(uri);
    throw new Error(vscode.l10n.t('{0} already exists.', path.basename(uri.fsPath)));
  } catch (error) {
    if (!(error instanceof vscode.FileSystemError)) throw error;
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(document.getText()));
  services.families.refresh();
  try {
    const store = await services.stores.forRoot(workspaceRootFor(uri));
    await store.putLineage({ family: family.id, variant: chosen, parent, createdAt: Date.now() });
  } catch (error) {
    services.log.warn(`Lineage of ${chosen} not recorded: ${services.stores.describe(error)}`);
  }
  await vscode.window.showTextDocument(uri);
  services.log.info(`New variant ${chosen} of ${family.id} (from ${variantLabel(parent)})`);
  return uri;
}
