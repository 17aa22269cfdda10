import * as vscode from 'vscode';
import * as path from 'node:path';
import { caseLabel } from './core/cases';
import type { VariantFamily } from './core/family';
import { variantLabel } from './core/family';
import { folderPartialResolver, renderPrompt } from './core/prompt';
import type { VariantDiffView } from './core/protocol';
import { diffRenderedMessages } from './core/variantDiff';
import type { FamilyIndex } from './familyIndex';
import type { PromptLoopPanel } from './panel/promptLoopPanel';

/**
 * Prompt Loop: Compare Variants — VS Code's diff editor on two variant files,
 * and in the panel a word-level diff of what each sends to Ollama, rendered
 * with the same input.
 */
export class VariantCompare {
  private shown: { diff: VariantDiffView; left: vscode.Uri; right: vscode.Uri } | undefined;
  private panel!: PromptLoopPanel;

  constructor(private readonly families: FamilyIndex) {}

  attach(panel: PromptLoopPanel): void {
    this.panel = panel;
  }

  get current(): VariantDiffView | undefined {
    return this.shown?.diff;
  }

  /** Compares `left` with `right`; asks for whichever is missing. Resolves the diff shown. */
  async compare(left?: vscode.Uri, right?: vscode.Uri): Promise<VariantDiffView | undefined> {
    const start = left ?? (vscode.window.activeTextEditor?.document.languageId === 'dotprompt' ? vscode.window.activeTextEditor.document.uri : undefined);
    let family: VariantFamily | undefined = start && (await this.families.familyOf(start));
    if (!family) {
      const withVariants = (await this.families.all()).filter((f) => f.variants.length > 1);
      if (withVariants.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: no prompt has two variants yet. Create one with "Prompt Loop: New Variant".'));
        return undefined;
      }
      family = withVariants.length === 1 ? withVariants[0] : (await vscode.window.showQuickPick(withVariants.map((f) => ({ label: f.name, description: f.id, f })), { placeHolder: vscode.l10n.t('Compare the variants of which prompt?') }))?.f;
      if (!family) return undefined;
    }
    if (family.variants.length < 2) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: {0} has no other variant to compare with. Create one with "Prompt Loop: New Variant".', family.name));
      return undefined;
    }
    const pick = async (title: string, exclude?: string) => {
      const items = family.variants.filter((v) => v.path !== exclude).map((v) => ({ label: variantLabel(v.variant), description: path.basename(v.path), uri: vscode.Uri.file(v.path) }));
      return items.length === 1 ? items[0].uri : (await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Variant of {0}', family.name) }))?.uri;
    };
    const leftUri = start && family.variants.some((v) => v.path === start.fsPath) ? start : await pick(vscode.l10n.t('Compare which variant?'));
    if (!leftUri) return undefined;
    const rightUri = right ?? (await pick(vscode.l10n.t('Compare {0} with…', path.basename(leftUri.fsPath)), leftUri.fsPath));
    if (!rightUri) return undefined;

    const variantOf = (uri: vscode.Uri) => family.variants.find((v) => v.path === uri.fsPath)?.variant ?? '';
    const cases = (await this.families.cases(family))?.cases ?? [];
    const input = cases[0]?.input ?? {};
    const basis = cases[0] ? vscode.l10n.t('rendered with {0}', caseLabel(cases[0])) : vscode.l10n.t('rendered with the frontmatter defaults');
    let diff: VariantDiffView;
    try {
      const [a, b] = await Promise.all([this.render(leftUri, input), this.render(rightUri, input)]);
      diff = {
        family: family.name,
        left: { variant: variantOf(leftUri), label: path.basename(leftUri.fsPath) },
        right: { variant: variantOf(rightUri), label: path.basename(rightUri.fsPath) },
        basis,
        messages: diffRenderedMessages(a, b),
      };
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: cannot render both variants to compare them: {0}', error instanceof Error ? error.message : String(error)));
      return undefined;
    }
    this.shown = { diff, left: leftUri, right: rightUri };
    await this.openDiffEditor();
    this.panel.post({ type: 'variantDiff', diff });
    this.panel.bringForward('diff');
    return diff;
  }

  /** Opens VS Code's diff editor on the two files last compared; false when nothing was compared. */
  async openDiffEditor(): Promise<boolean> {
    if (!this.shown) return false;
    const { left, right } = this.shown;
    await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0} ↔ {1}', path.basename(left.fsPath), path.basename(right.fsPath)), { preview: true, viewColumn: vscode.ViewColumn.One });
    return true;
  }

  private async render(uri: vscode.Uri, input: Record<string, unknown>) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const source = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    return (await renderPrompt(source, input, { resolvePartial: folderPartialResolver(path.dirname(uri.fsPath)) })).messages;
  }
}
