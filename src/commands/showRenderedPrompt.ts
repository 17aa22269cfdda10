import type * as vscode from 'vscode';
import type { Services } from '../services';
import { activePromptDocument } from './activePrompt';

/** Prompt Loop: Show Rendered Prompt — the exact messages for a document (its current input) or for a run. */
export async function showRenderedPrompt(services: Services, target?: vscode.Uri | string): Promise<void> {
  if (typeof target === 'string') {
    await services.rendered.showRun(target);
    return;
  }
  const document = await activePromptDocument(target);
  if (!document) return;
  await services.rendered.showDocument(document, await services.inputs.current(document));
}
