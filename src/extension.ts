import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { InputChooser } from './inputs';
import { PromptCodeLens } from './language/codeLens';
import { PromptCompletion } from './language/completion';
import { PromptDiagnostics } from './language/diagnostics';
import { PromptHover } from './language/hover';
import { OllamaService } from './ollamaService';
import { PromptLoopPanel } from './panel/promptLoopPanel';
import { RenderedPromptView } from './renderedPromptView';
import { RunController } from './runController';
import type { Services } from './services';

/** What activate() returns: used by the integration tests, stable for other extensions. */
export interface PromptLoopApi {
  services: Services;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): PromptLoopApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Prompt Loop', { log: true });
  const ollama = new OllamaService(log);
  const inputs = new InputChooser(context.workspaceState);
  const runs = new RunController(ollama, inputs, context.workspaceState, log);
  const panel = PromptLoopPanel.register(context, runs, log);
  runs.attach(panel);
  const rendered = RenderedPromptView.register(context, runs);
  context.subscriptions.push(log, ollama, runs);

  const services: Services = { context, log, ollama, inputs, runs, panel, rendered };
  registerCommands(services);
  const codeLens = PromptCodeLens.register(context, inputs);
  context.subscriptions.push(runs.onDidFinishRun(() => codeLens.refresh()));
  PromptDiagnostics.register(context, ollama);
  PromptCompletion.register(context, ollama);
  PromptHover.register(context, inputs);

  const activationMs = performance.now() - started;
  log.info(`Prompt Loop activated in ${activationMs.toFixed(1)} ms (Ollama host ${ollama.host})`);
  return { services, activationMs };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
