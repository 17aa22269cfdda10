import type * as vscode from 'vscode';
import type { Services } from '../services';

/** Prompt Loop: Export Results — the shown sweep (or one from history) as CSV or JSONL. */
export async function exportResults(services: Services, options?: { sweepId?: string; uri?: vscode.Uri }): Promise<void> {
  await services.sweeps.export(options);
}
