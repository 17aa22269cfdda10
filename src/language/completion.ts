import * as vscode from 'vscode';
import { analyzePrompt, completionContext } from '../core/analysis';
import { formatBytes } from '../core/ollamaClient';
import type { OllamaService } from '../ollamaService';
import { toRange } from './diagnostics';

/** Completes variable names inside `{{ }}` and model names after `model:`. */
export class PromptCompletion implements vscode.CompletionItemProvider {
  private constructor(private readonly ollama: OllamaService) {}

  static register(context: vscode.ExtensionContext, ollama: OllamaService): void {
    context.subscriptions.push(vscode.languages.registerCompletionItemProvider({ language: 'dotprompt' }, new PromptCompletion(ollama), '{', ':', ' ', '/', '.'));
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const text = document.getText();
    const context = completionContext(text, { line: position.line, character: position.character });
    if (!context) return undefined;
    const range = toRange(context.range);
    if (context.kind === 'variable') {
      const analysis = analyzePrompt(text);
      return analysis.declared.map((variable) => {
        const item = new vscode.CompletionItem(variable.name, vscode.CompletionItemKind.Variable);
        item.range = range;
        item.detail = [variable.type, variable.optional ? 'optional' : undefined].filter(Boolean).join(', ');
        item.documentation = variable.description;
        return item;
      });
    }
    const models = await this.ollama.modelsQuietly();
    if (!models) return undefined;
    const prefixed = context.prefix.startsWith('ollama/');
    return models.map((model) => {
      const item = new vscode.CompletionItem(model.name, vscode.CompletionItemKind.Value);
      item.insertText = `${prefixed ? '' : 'ollama/'}${model.name}`;
      item.filterText = `ollama/${model.name} ${model.name}`;
      item.range = prefixed ? new vscode.Range(range.start.translate(0, 'ollama/'.length), range.end) : range;
      item.detail = [model.parameterSize, model.family, formatBytes(model.sizeBytes)].filter(Boolean).join(' · ');
      return item;
    });
  }
}
