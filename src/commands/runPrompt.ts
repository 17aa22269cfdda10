import type * as vscode from 'vscode';
import type { Services } from '../services';
import type { RunRequest } from '../runController';
import { uriOfTreeArgument } from '../views/familyTree';
import { activePromptDocument } from './activePrompt';

/** Prompt Loop: Run Prompt — from the CodeLens, the palette, the editor title or Ctrl+Alt+Enter. */
export async function runPrompt(services: Services, target?: vscode.Uri | object, request?: RunRequest): Promise<void> {
  const document = await activePromptDocument(uriOfTreeArgument(target));
  if (!document) return;
  await services.runs.run(document, request ?? {});
}
