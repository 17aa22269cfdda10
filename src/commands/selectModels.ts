import * as vscode from 'vscode';
import { formatBytes } from '../core/ollamaClient';
import { shortModelName } from '../core/prompt';
import { selectedModels } from '../runController';
import type { Services } from '../services';

/**
 * Prompt Loop: Select Models — a multi-select of the server's installed models
 * with size and family; remembered for the workspace in `promptLoop.models`.
 */
export async function selectModels(services: Services): Promise<void> {
  let models;
  for (;;) {
    try {
      models = await services.ollama.models({ refresh: true });
      break;
    } catch {
      if (!(await services.ollama.reportUnreachable())) return;
    }
  }
  if (models.length === 0) {
    const pull = vscode.l10n.t('Pull Model');
    if ((await vscode.window.showWarningMessage(vscode.l10n.t('Prompt Loop: {0} has no models installed yet.', services.ollama.host), pull)) === pull) {
      await vscode.commands.executeCommand('promptLoop.pullModel');
    }
    return;
  }
  const current = new Set(selectedModels());
  const items = models.map((model) => ({
    label: model.name,
    description: [model.parameterSize, model.family, model.quantization].filter(Boolean).join(' · '),
    detail: formatBytes(model.sizeBytes),
    picked: current.has(model.name) || current.has(model.name.replace(/:latest$/, '')),
  }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: vscode.l10n.t('Models to compare side by side ({0})', services.ollama.host),
    placeHolder: vscode.l10n.t('Pick one or more; none = use the model in each prompt'),
  });
  if (!picked) return;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('promptLoop').update('models', picked.map((p) => shortModelName(p.label)), target);
}
