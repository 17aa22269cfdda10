/** Every command id, in one place; a test checks them against package.json. */
export const commandIds = {
  runPrompt: 'promptLoop.runPrompt',
  stopRun: 'promptLoop.stopRun',
  selectModels: 'promptLoop.selectModels',
  showResults: 'promptLoop.showResults',
  showRenderedPrompt: 'promptLoop.showRenderedPrompt',
  pullModel: 'promptLoop.pullModel',
  checkModels: 'promptLoop.checkModels',
  runSweep: 'promptLoop.runSweep',
  newVariant: 'promptLoop.newVariant',
  compareVariants: 'promptLoop.compareVariants',
  addTestCase: 'promptLoop.addTestCase',
  exportResults: 'promptLoop.exportResults',
  cancelSweep: 'promptLoop.cancelSweep',
  compareBlind: 'promptLoop.compareBlind',
  suggestRewrites: 'promptLoop.suggestRewrites',
  showScores: 'promptLoop.showScores',
  exportRatings: 'promptLoop.exportRatings',
} as const;

export type CommandId = (typeof commandIds)[keyof typeof commandIds];
