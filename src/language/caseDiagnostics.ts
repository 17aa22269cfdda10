import * as vscode from 'vscode';
import * as path from 'node:path';
import { checkCases, neededVariables } from '../core/caseCheck';
import { caseFileExtensions, parseCases } from '../core/cases';
import { variantDisplayName } from '../core/family';
import type { FamilyIndex } from '../familyIndex';

const debounceMs = 300;

/** Whether a document is a family's cases file (`<family>.cases.yaml|yml|jsonl|csv`). */
function isCasesFile(uri: vscode.Uri): boolean {
  const lower = uri.path.toLowerCase();
  return uri.scheme === 'file' && caseFileExtensions.some((ext) => lower.endsWith(ext));
}

/**
 * Problems in test-case files: what does not parse, and cases that lack a
 * variable some variant of the family needs. Re-checked as the cases file is
 * edited and when a prompt of the family is saved.
 */
export class CaseDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('promptLoop.cases');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(private readonly families: FamilyIndex) {}

  static register(context: vscode.ExtensionContext, families: FamilyIndex): CaseDiagnostics {
    const diagnostics = new CaseDiagnostics(families);
    context.subscriptions.push(diagnostics);
    diagnostics.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => diagnostics.schedule(doc.uri, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => diagnostics.schedule(event.document.uri, debounceMs)),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        // A saved prompt can change what its family's cases need.
        if (doc.languageId === 'dotprompt') for (const open of vscode.workspace.textDocuments) diagnostics.schedule(open.uri, debounceMs);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.collection.delete(doc.uri)),
    );
    for (const doc of vscode.workspace.textDocuments) diagnostics.schedule(doc.uri, 0);
    return diagnostics;
  }

  private schedule(uri: vscode.Uri, delay: number): void {
    if (!isCasesFile(uri)) return;
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.check(uri);
    }, delay));
  }

  /** Checks one cases file against every variant of its family (unsaved text included). */
  async check(uri: vscode.Uri): Promise<vscode.Diagnostic[]> {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (!document) return [];
    const parsed = parseCases(document.getText(), uri.fsPath);
    const familyName = path.basename(uri.fsPath).replace(/\.cases\.[^.]+$/i, '');
    const family = (await this.families.all()).find((f) => f.folder === path.dirname(uri.fsPath) && f.name === familyName);
    const variants = await Promise.all(
      (family?.variants ?? []).map(async (v) => {
        const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === v.path);
        let text = open?.getText();
        if (text === undefined) {
          try {
            text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(v.path)));
          } catch {
            text = '';
          }
        }
        return { label: `${variantDisplayName(familyName, v.variant)}.prompt`, needs: neededVariables(text) };
      }),
    );
    const diagnostics = checkCases(parsed, variants).map((issue) => {
      const line = Math.min(issue.line, Math.max(0, document.lineCount - 1));
      const range = document.lineAt(line).range;
      const diagnostic = new vscode.Diagnostic(range, issue.message, issue.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'Prompt Loop';
      diagnostic.code = issue.severity === 'error' ? 'case-syntax' : 'case-missing-variable';
      return diagnostic;
    });
    this.collection.set(uri, diagnostics);
    return diagnostics;
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}
