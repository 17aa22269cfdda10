import * as vscode from 'vscode';
import type { PanelState, WebviewToHost } from './core/protocol';
import type { PanelHost } from './panel/promptLoopPanel';
import type { RunController } from './runController';
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
  ) {}

  state(): PanelState {
    return { ...this.runs.state(), sweep: this.sweeps.view, diff: this.compare.current };
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
      default:
        return this.runs.handle(message);
    }
  }
}
