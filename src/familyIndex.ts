import * as vscode from 'vscode';
import * as path from 'node:path';
import { caseFileCandidates, parseCases } from './core/cases';
import type { ParsedCases } from './core/cases';
import type { VariantFamily } from './core/family';
import { familyIdOf, groupFamilies } from './core/family';

const promptGlob = '**/*.{prompt,cases.yaml,cases.yml,cases.jsonl,cases.csv}';
const excludeGlob = '**/{node_modules,.git,.promptloop}/**';

/**
 * The workspace's variant families, found by file name and kept current by a
 * file watcher. Reads nothing but names until a family's cases are asked for.
 */
export class FamilyIndex implements vscode.Disposable {
  private families: Promise<VariantFamily[]> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a prompt or cases file is created, deleted or (cases only) changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(promptGlob);
    const invalidate = () => {
      this.families = undefined;
      this.changed.fire();
    };
    this.subscriptions.push(watcher, watcher.onDidCreate(invalidate), watcher.onDidDelete(invalidate), watcher.onDidChange((uri) => {
      if (!uri.path.endsWith('.prompt')) invalidate();
    }), this.changed);
  }

  /** Every family in the workspace, sorted by id. */
  all(): Promise<VariantFamily[]> {
    this.families ??= this.scan();
    return this.families;
  }

  /** The family a prompt file belongs to (found even before the watcher has seen a new file). */
  async familyOf(uri: vscode.Uri): Promise<VariantFamily | undefined> {
    if (uri.scheme !== 'file') return undefined;
    const root = workspaceRootFor(uri);
    const id = familyIdOf(uri.fsPath, root);
    const known = (await this.all()).find((family) => family.id === id);
    if (known && known.variants.some((v) => v.path === uri.fsPath)) return known;
    this.families = undefined;
    return (await this.all()).find((family) => family.id === id) ?? groupFamilies([uri.fsPath], root)[0];
  }

  /** A family's test cases, parsed; undefined when it has no cases file. */
  async cases(family: VariantFamily): Promise<(ParsedCases & { uri: vscode.Uri }) | undefined> {
    const candidates = family.casesPath ? [family.casesPath] : caseFileCandidates(path.join(family.folder, `${family.name}.prompt`));
    for (const candidate of candidates) {
      const uri = vscode.Uri.file(candidate);
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        return { ...parseCases(new TextDecoder().decode(bytes), candidate), uri };
      } catch {
        // Not there: try the next format.
      }
    }
    return undefined;
  }

  /** Forget what was found (after this extension wrote files itself). */
  refresh(): void {
    this.families = undefined;
    this.changed.fire();
  }

  private async scan(): Promise<VariantFamily[]> {
    const uris = await vscode.workspace.findFiles(promptGlob, excludeGlob, 20_000);
    const byRoot = new Map<string, string[]>();
    for (const uri of uris) {
      if (uri.scheme !== 'file') continue;
      const root = workspaceRootFor(uri);
      byRoot.set(root, [...(byRoot.get(root) ?? []), uri.fsPath]);
    }
    return [...byRoot.entries()].flatMap(([root, files]) => groupFamilies(files, root)).sort((a, b) => a.id.localeCompare(b.id));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** The workspace folder holding `uri` (its own folder when it is outside every workspace folder). */
export function workspaceRootFor(uri: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath);
}
