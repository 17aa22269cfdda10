import * as vscode from 'vscode';
import type { PromptProblem, TextRange } from '../core/analysis';
import { analyzePrompt } from '../core/analysis';
import type { OllamaService } from '../ollamaService';

const debounceMs = 200;

/** Converts a core range (0-based, UTF-16) to a VS Code range. */
export function toRange(range: TextRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/**
 * Problems in `.prompt` files as the user types: YAML, Handlebars, undefined
 * variables, unknown helpers. The model is checked against the server's model
 * list, which is fetched on open and save, never per keystroke.
 */
export class PromptDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('promptLoop');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private knownModels: string[] | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(private readonly ollama: OllamaService) {}

  static register(context: vscode.ExtensionContext, ollama: OllamaService): PromptDiagnostics {
    const diagnostics = new PromptDiagnostics(ollama);
    context.subscriptions.push(diagnostics);
    diagnostics.start();
    return diagnostics;
  }

  private start(): void {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (isPrompt(doc)) {
          this.refreshModels();
          this.schedule(doc, 0);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (isPrompt(event.document)) this.schedule(event.document, debounceMs);
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (isPrompt(doc)) this.refreshModels(true);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.collection.delete(doc.uri)),
      this.ollama.onDidChange(() => this.refreshModels()),
    );
    this.refreshModels();
    for (const doc of vscode.workspace.textDocuments) if (isPrompt(doc)) this.schedule(doc, 0);
  }

  /** Asks the server for its models; on success re-checks every open prompt. */
  refreshModels(force = false): void {
    void this.ollama.models({ refresh: force }).then(
      (models) => {
        const names = models.map((m) => m.name);
        if (JSON.stringify(names) === JSON.stringify(this.knownModels)) return;
        this.knownModels = names;
        this.updateAll();
      },
      () => {
        // Unreachable server: no model check rather than a wrong one.
        if (this.knownModels !== undefined) {
          this.knownModels = undefined;
          this.updateAll();
        }
      },
    );
  }

  private updateAll(): void {
    for (const doc of vscode.workspace.textDocuments) if (isPrompt(doc)) this.update(doc);
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.update(document);
    }, delay));
  }

  update(document: vscode.TextDocument): void {
    if (document.isClosed) return;
    const analysis = analyzePrompt(document.getText(), { knownModels: this.knownModels });
    this.collection.set(document.uri, analysis.problems.map(toDiagnostic));
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}

function toDiagnostic(problem: PromptProblem): vscode.Diagnostic {
  const severity = problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : problem.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(toRange(problem.range), problem.message, severity);
  diagnostic.source = 'Prompt Loop';
  diagnostic.code = problem.code;
  if (problem.code === 'unused-variable') diagnostic.tags = [vscode.DiagnosticTag.Unnecessary];
  return diagnostic;
}

export function isPrompt(document: vscode.TextDocument): boolean {
  return document.languageId === 'dotprompt';
}
