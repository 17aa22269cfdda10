import type * as vscode from 'vscode';
import type { BlindController } from './blindController';
import type { FamilyIndex } from './familyIndex';
import type { InputChooser } from './inputs';
import type { OllamaService } from './ollamaService';
import type { PromptLoopPanel } from './panel/promptLoopPanel';
import type { RatingController } from './ratingController';
import type { RenderedPromptView } from './renderedPromptView';
import type { RunController } from './runController';
import type { StoreService } from './storeService';
import type { SuggestionController } from './suggestionController';
import type { SweepController } from './sweepController';
import type { VariantCompare } from './variantCompare';
import type { FamilyTree } from './views/familyTree';

/** What commands get to work with; built once in activate(). */
export interface Services {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  ollama: OllamaService;
  inputs: InputChooser;
  runs: RunController;
  panel: PromptLoopPanel;
  rendered: RenderedPromptView;
  families: FamilyIndex;
  stores: StoreService;
  sweeps: SweepController;
  compare: VariantCompare;
  tree: FamilyTree;
  ratings: RatingController;
  blind: BlindController;
  suggestions: SuggestionController;
}
