/** Small helpers the integration suites share. */
import * as vscode from 'vscode';

/** The sample workspace's folder (a copy of examples/). */
export const workspaceRoot = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

/** The extension's settings. */
export const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('promptLoop');

/** Polls `probe` until it gives something other than undefined/false; rejects naming `what` on timeout. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
