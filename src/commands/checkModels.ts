import * as vscode from 'vscode';
import type { Services } from '../services';

/** Prompt Loop: Check Models Against Server — refreshes the model list behind diagnostics and completion. */
export async function checkModels(services: Services): Promise<void> {
  try {
    const models = await services.ollama.models({ refresh: true });
    void vscode.window.showInformationMessage(vscode.l10n.t('Prompt Loop: {0} has {1} models.', services.ollama.host, models.length));
  } catch {
    await services.ollama.reportUnreachable();
  }
}
