import * as vscode from 'vscode';
import type { CommandId } from '../commandIds';
import { commandIds } from '../commandIds';
import type { Services } from '../services';
import { addTestCase } from './addTestCase';
import { cancelSweep } from './cancelSweep';
import { checkModels } from './checkModels';
import { compareBlind } from './compareBlind';
import { compareVariants } from './compareVariants';
import { exportRatings } from './exportRatings';
import { exportResults } from './exportResults';
import { newVariant } from './newVariant';
import { pullModel } from './pullModel';
import { runPrompt } from './runPrompt';
import { runSweep } from './runSweep';
import { selectModels } from './selectModels';
import { showRenderedPrompt } from './showRenderedPrompt';
import { showResults } from './showResults';
import { showScores } from './showScores';
import { stopRun } from './stopRun';
import { suggestRewrites } from './suggestRewrites';

type Command = (services: Services, ...args: never[]) => Promise<unknown>;

const commands: Record<CommandId, Command> = {
  [commandIds.runPrompt]: runPrompt,
  [commandIds.stopRun]: stopRun,
  [commandIds.selectModels]: selectModels,
  [commandIds.showResults]: showResults,
  [commandIds.showRenderedPrompt]: showRenderedPrompt,
  [commandIds.pullModel]: pullModel,
  [commandIds.checkModels]: checkModels,
  [commandIds.runSweep]: runSweep,
  [commandIds.newVariant]: newVariant,
  [commandIds.compareVariants]: compareVariants,
  [commandIds.addTestCase]: addTestCase,
  [commandIds.exportResults]: exportResults,
  [commandIds.cancelSweep]: cancelSweep,
  [commandIds.compareBlind]: compareBlind,
  [commandIds.suggestRewrites]: suggestRewrites,
  [commandIds.showScores]: showScores,
  [commandIds.exportRatings]: exportRatings,
};

/** Registers every command in one loop; errors become messages, never silent. */
export function registerCommands(services: Services): void {
  for (const [id, command] of Object.entries(commands)) {
    services.context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          // The result goes back to executeCommand callers (tests, other extensions).
          return await command(services, ...(args as never[]));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          services.log.error(`${id} failed: ${message}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Prompt Loop: {0}', message));
        }
      }),
    );
  }
}
