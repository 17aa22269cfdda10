import * as vscode from 'vscode';
import * as path from 'node:path';
import { explicitSetting } from './core/ollamaClient';
import { PromptStore } from './core/store/promptStore';
import type { StoreProblem } from './core/store/records';

/** Where the store of a workspace folder lives: the setting, relative to the folder, or absolute. */
export function storeDirFor(root: string): string {
  const inspected = vscode.workspace.getConfiguration('promptLoop', vscode.Uri.file(root)).inspect<string>('storePath');
  const configured = explicitSetting(inspected, vscode.workspace.isTrusted)?.trim() || '.promptloop';
  return path.resolve(root, configured);
}

/**
 * Opens the workspace store (one per workspace folder) on first use and tells
 * the user about every store problem: a corrupt file moved aside, a folder that
 * cannot be written, a lock held by another process.
 */
export class StoreService implements vscode.Disposable {
  private readonly stores = new Map<string, Promise<PromptStore>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly told = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('promptLoop.storePath')) void this.closeAll();
      }),
    );
  }

  /** The store for the workspace folder `root`. */
  forRoot(root: string): Promise<PromptStore> {
    const dir = storeDirFor(root);
    let store = this.stores.get(dir);
    if (!store) {
      store = PromptStore.open(dir, { onProblem: (problem) => this.report(problem) });
      this.stores.set(dir, store);
      store.catch(() => this.stores.delete(dir));
    }
    return store;
  }

  /** Says what went wrong with the store, once per file and kind until the window reloads. */
  report(problem: StoreProblem): void {
    this.log.error(`Store: ${problem.message}`);
    const key = `${problem.kind}\u0000${problem.file}`;
    if (this.told.has(key)) return;
    this.told.add(key);
    const reveal = vscode.l10n.t('Reveal File');
    void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: {0}', problem.message), reveal).then((choice) => {
      if (choice === reveal) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(problem.movedTo ?? problem.file));
    });
  }

  /** A store error as a message for the user (store errors carry their own sentence). */
  describe(error: unknown): string {
    const problem = (error as { problem?: StoreProblem } | undefined)?.problem;
    if (problem) return problem.message;
    return error instanceof Error ? error.message : String(error);
  }

  private async closeAll(): Promise<void> {
    const stores = [...this.stores.values()];
    this.stores.clear();
    for (const store of stores) {
      try {
        await (await store).close();
      } catch {
        // Already reported when it failed to open.
      }
    }
  }

  dispose(): void {
    void this.closeAll();
    for (const s of this.subscriptions) s.dispose();
  }
}
