import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { BlindController } from './blindController';
import { FamilyIndex } from './familyIndex';
import { InputChooser } from './inputs';
import { CaseDiagnostics } from './language/caseDiagnostics';
import { PromptCodeLens } from './language/codeLens';
import { PromptCompletion } from './language/completion';
import { PromptDiagnostics } from './language/diagnostics';
import { PromptHover } from './language/hover';
import { OllamaService } from './ollamaService';
import { PromptLoopPanel } from './panel/promptLoopPanel';
import { PanelHub } from './panelHub';
import { RenderedPromptView } from './renderedPromptView';
import { explainRestrictedMode } from './restrictedMode';
import { RatingController } from './ratingController';
import { RunArchive } from './runArchive';
import { RunController } from './runController';
import type { Services } from './services';
import { StoreService } from './storeService';
import { SuggestionController, suggestionScheme } from './suggestionController';
import { SweepController } from './sweepController';
import { VariantCompare } from './variantCompare';
import { FamilyTree } from './views/familyTree';

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
  const families = new FamilyIndex();
  const stores = new StoreService(log);
  const runs = new RunController(ollama, new RunArchive(stores, ollama, log), inputs, context.workspaceState, log);
  const sweeps = new SweepController(ollama, families, stores, context.workspaceState, context.globalState, log);
  const compare = new VariantCompare(families);
  const ratings = new RatingController(runs, sweeps, families, stores, log);
  const blind = new BlindController(sweeps, ratings, stores, log);
  const suggestions = new SuggestionController(ollama, families, stores, sweeps, ratings, log);
  const panel = PromptLoopPanel.register(context, new PanelHub(runs, sweeps, compare, ratings, blind, suggestions), log);
  for (const part of [runs, sweeps, compare, ratings, blind, suggestions]) part.attach(panel);
  const rendered = RenderedPromptView.register(context, runs);
  context.subscriptions.push(log, ollama, families, stores, runs, sweeps, ratings, suggestions);
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(suggestionScheme, suggestions));

  const tree = FamilyTree.register(context, families);
  tree.setScoreLookup((family, variant) => ratings.scoreLine(family, variant));
  const services: Services = { context, log, ollama, inputs, runs, panel, rendered, families, stores, sweeps, compare, tree, ratings, blind, suggestions };
  registerCommands(services);
  const codeLens = PromptCodeLens.register(context, inputs, ratings);
  // What the panel shows changed: its ratings and scores follow.
  context.subscriptions.push(
    runs.onDidFinishRun(() => {
      codeLens.refresh();
      void ratings.refresh();
    }),
    sweeps.onDidFinishSweep(() => void ratings.refresh()),
    ratings.onDidChange(() => {
      codeLens.refresh();
      tree.refresh();
    }),
  );
  PromptDiagnostics.register(context, ollama);
  CaseDiagnostics.register(context, families);
  PromptCompletion.register(context, ollama);
  PromptHover.register(context, inputs);
  explainRestrictedMode(context, ollama);
  // The last sweep (and its ratings) come back from the store, not from memory.
  void sweeps.restore().then(() => ratings.refresh());

  const activationMs = performance.now() - started;
  log.info(`Prompt Loop activated in ${activationMs.toFixed(1)} ms (Ollama host ${ollama.host})`);
  return { services, activationMs };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
