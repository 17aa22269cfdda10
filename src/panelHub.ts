import * as vscode from 'vscode';
import type { BlindController } from './blindController';
import type { PanelState, WebviewToHost } from './core/protocol';
import type { PanelHost } from './panel/promptLoopPanel';
import type { RatingController } from './ratingController';
import type { RunController } from './runController';
import type { SuggestionController } from './suggestionController';
import type { SweepController } from './sweepController';
import type { VariantCompare } from './variantCompare';

/**
 * What the panel shows and where its requests go: the single run, the sweep
 * grid and the variant diff each belong to their own controller; this routes.
 */
export class PanelHub implements PanelHost {
  constructor(
    private readonly runs: RunController,
    private readonly sweeps: SweepController,
    private readonly compare: VariantCompare,
    private readonly ratings: RatingController,
    private readonly blind: BlindController,
    private readonly suggestions: SuggestionController,
  ) {}

  state(): PanelState {
    const { ratings, scores } = this.ratings.current;
    return { ...this.runs.state(), sweep: this.sweeps.view, diff: this.compare.current, ratings, scores, blind: this.blind.current, suggestions: this.suggestions.current };
  }

  async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'cancelSweep':
        this.sweeps.cancel(message.sweepId);
        return;
      case 'rerunSweep':
        await this.sweeps.rerun(message.sweepId);
        return;
      case 'exportSweep':
        await this.sweeps.export({ sweepId: message.sweepId });
        return;
      case 'copyCell':
        await this.sweeps.copyCell(message.sweepId, message.cellId);
        return;
      case 'openDiffEditor':
        if (!(await this.compare.openDiffEditor())) throw new Error(vscode.l10n.t('No comparison to open: run "Prompt Loop: Compare Variants" first.'));
        return;
      case 'rate':
        await this.ratings.rate(message.answerKey, message.score, message.comment, message.tags);
        return;
      case 'clearRating':
        await this.ratings.clear(message.answerKey);
        return;
      case 'startBlind':
        await this.blind.start();
        return;
      case 'blindVerdict':
        await this.blind.verdict(message.pairId, message.winner, message.comment);
        return;
      case 'blindSkip':
        await this.blind.skip(message.pairId);
        return;
      case 'suggestRewrites':
        await this.suggestions.start();
        return;
      case 'stopSuggestions':
        this.suggestions.stop();
        return;
      case 'suggestionAction':
        await this.suggestions.act(message.suggestionId, message.action);
        return;
      default:
        return this.runs.handle(message);
    }
  }
}
