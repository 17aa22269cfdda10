import * as vscode from 'vscode';
import type { Services } from '../services';

/** Prompt Loop: Pull Model — pulls a model by name, with progress and cancel. */
export async function pullModel(services: Services, model?: string): Promise<void> {
  const name = model ?? (await vscode.window.showInputBox({
    title: vscode.l10n.t('Pull a model into {0}', services.ollama.host),
    placeHolder: 'llama3.2, qwen2.5:7b, …',
    validateInput: (value) => (/^[\w.:/-]+$/.test(value.trim()) ? undefined : vscode.l10n.t('A model name like llama3.2 or qwen2.5:7b')),
  }));
  if (!name) return;
  await services.ollama.pull(name.trim().replace(/^ollama\//, ''));
}
