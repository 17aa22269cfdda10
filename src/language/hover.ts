import * as vscode from 'vscode';
import { analyzePrompt, variableAt } from '../core/analysis';
import type { InputChooser } from '../inputs';
import { toRange } from './diagnostics';

/** Hovering a variable shows its schema and the value the next run will use. */
export class PromptHover implements vscode.HoverProvider {
  private constructor(private readonly inputs: InputChooser) {}

  static register(context: vscode.ExtensionContext, inputs: InputChooser): void {
    context.subscriptions.push(vscode.languages.registerHoverProvider({ language: 'dotprompt' }, new PromptHover(inputs)));
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const analysis = analyzePrompt(document.getText());
    const use = variableAt(analysis, { line: position.line, character: position.character });
    if (!use) return undefined;
    const declared = analysis.declared.find((d) => d.name === use.name);
    const input = await this.inputs.current(document);
    const value = lookup(input.input, use.path) ?? (declared?.hasDefault ? lookup({ [use.name]: declared.defaultValue }, use.path) : undefined);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${use.path}**`);
    if (declared?.type) md.appendMarkdown(` — \`${declared.type}\``);
    if (declared?.optional) md.appendMarkdown(' (optional)');
    if (declared?.description) md.appendMarkdown(`\n\n${declared.description}`);
    if (!declared) md.appendMarkdown('\n\n' + vscode.l10n.t('Not declared in `input.schema` or `input.default`.'));
    md.appendMarkdown('\n\n' + vscode.l10n.t('Value ({0}):', input.label));
    md.appendCodeblock(value === undefined ? vscode.l10n.t('(none)') : typeof value === 'string' ? truncate(value) : truncate(JSON.stringify(value, null, 2)), 'text');
    return new vscode.Hover(md, toRange(use.range));
  }
}

function lookup(root: Record<string, unknown>, dotted: string): unknown {
  let current: unknown = root;
  for (const part of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function truncate(text: string): string {
  return text.length > 600 ? text.slice(0, 600) + '…' : text;
}
