import * as vscode from 'vscode';
import { analyzePrompt } from '../core/analysis';
import { toOllamaModelName } from '../core/prompt';
import { commandIds } from '../commandIds';
import type { InputChooser } from '../inputs';
import { selectedModels } from '../runController';
import type { RatingController } from '../ratingController';
import { promptFamily } from '../core/cases';

/** "▶ Run · models · input" above each prompt: one click to run, one to change what runs. */
export class PromptCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  private constructor(
    private readonly inputs: InputChooser,
    private readonly ratings: RatingController,
  ) {}

  static register(context: vscode.ExtensionContext, inputs: InputChooser, ratings: RatingController): PromptCodeLens {
    const provider = new PromptCodeLens(inputs, ratings);
    context.subscriptions.push(
      vscode.languages.registerCodeLensProvider({ language: 'dotprompt' }, provider),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('promptLoop.models')) provider.refresh();
      }),
      provider.changed,
    );
    return provider;
  }

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const range = new vscode.Range(0, 0, 0, 0);
    const analysis = analyzePrompt(document.getText());
    const selected = selectedModels();
    const fallback = analysis.model ? toOllamaModelName(analysis.model.name) : undefined;
    const models = selected.length ? selected : fallback ? [fallback] : [];
    const input = await this.inputs.current(document);
    const score = await this.scoreLens(document, range);
    return [
      new vscode.CodeLens(range, { title: '$(play) ' + vscode.l10n.t('Run'), command: commandIds.runPrompt, arguments: [document.uri], tooltip: vscode.l10n.t('Run this prompt on the selected models (Ctrl+Alt+Enter)') }),
      new vscode.CodeLens(range, {
        title: models.length ? vscode.l10n.t('Models: {0}', models.join(', ')) : vscode.l10n.t('Select models…'),
        command: commandIds.selectModels,
        tooltip: vscode.l10n.t('Choose which models answer side by side'),
      }),
      new vscode.CodeLens(range, { title: vscode.l10n.t('Input: {0}', input.label), command: commandIds.runPrompt, arguments: [document.uri, { pickInput: true }], tooltip: vscode.l10n.t('Choose the input and run') }),
      new vscode.CodeLens(range, { title: '$(run-all) ' + vscode.l10n.t('Sweep variants'), command: commandIds.runSweep, arguments: [document.uri], tooltip: vscode.l10n.t('Run the variants of this prompt over its test cases and models') }),
      new vscode.CodeLens(range, { title: vscode.l10n.t('Rendered prompt'), command: commandIds.showRenderedPrompt, arguments: [document.uri], tooltip: vscode.l10n.t('Show the exact messages sent to Ollama') }),
      ...score,
    ];
  }

  /** "★ 4.1 ± 0.3 (n = 18) · 2nd of 3 variants" and "Suggest rewrites", once the prompt's answers are rated. */
  private async scoreLens(document: vscode.TextDocument, range: vscode.Range): Promise<vscode.CodeLens[]> {
    if (document.uri.scheme !== 'file') return [];
    const family = await this.ratings.familyOf(document.uri);
    if (!family) return [];
    const line = await this.ratings.scoreLine(family, promptFamily(document.uri.fsPath).variant ?? '');
    if (!line) return [];
    return [
      new vscode.CodeLens(range, { title: line, command: commandIds.showScores, tooltip: vscode.l10n.t('Mean rating with its 95% interval; open the scores of all variants') }),
      new vscode.CodeLens(range, { title: '$(sparkle) ' + vscode.l10n.t('Suggest rewrites'), command: commandIds.suggestRewrites, arguments: [document.uri], tooltip: vscode.l10n.t('Ask the optimizer model for better versions of this prompt, from your ratings') }),
    ];
  }
}
