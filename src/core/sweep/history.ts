/** Sweeps read back from the store: for the panel after a reload, for export, for history. */
import type { SweepCellView, SweepView } from '../protocol';
import type { AnswerRecord, CellRecord, FamilyId, RunRecord } from '../store/records';
import { summarizeSweep, sweepConsistency } from './summary';

/** What reading a sweep back needs of the store. */
export interface SweepHistoryStore {
  getRun(family: FamilyId, runId: string): Promise<{ run: RunRecord; cells: CellRecord[] } | undefined>;
  getAnswers(keys: Iterable<string>): Promise<Map<string, AnswerRecord>>;
}

/**
 * Rebuilds the grid of a stored sweep: the run file says which cells there were
 * and how they ended, the answers hold their text and metrics. A run that was
 * still "running" when its process ended is shown as cancelled where cells
 * never finished.
 */
export async function loadSweepView(store: SweepHistoryStore, family: FamilyId, runId: string, familyPath = family): Promise<SweepView | undefined> {
  const stored = await store.getRun(family, runId);
  if (!stored) return undefined;
  const { run, cells } = stored;
  const answers = await store.getAnswers(cells.flatMap((c) => (c.answerKey ? [c.answerKey] : [])));
  const interrupted = run.state === 'running' || run.state === 'interrupted';
  const views: SweepCellView[] = cells.map((cell) => {
    const answer = cell.answerKey ? answers.get(cell.answerKey) : undefined;
    let status = cell.status;
    if (status === 'queued' || status === 'loading' || status === 'running') status = answer?.status === 'done' ? 'done' : 'cancelled';
    const view: SweepCellView = {
      cellId: cell.cellId,
      variant: cell.variant,
      model: cell.model,
      caseIndex: cell.caseIndex,
      paramsIndex: cell.paramsIndex,
      repeat: cell.repeat,
      status,
      text: answer?.text ?? '',
    };
    if (answer?.metrics) view.metrics = answer.metrics;
    if (cell.error ?? answer?.error) view.error = cell.error ?? answer?.error;
    if (cell.answerKey) view.answerKey = cell.answerKey;
    if (cell.attempts) view.attempts = cell.attempts;
    return view;
  });
  const name = family.split('/').pop() ?? family;
  return {
    sweepId: run.runId,
    family: name,
    familyPath,
    variants: run.variants,
    models: run.models,
    cases: run.cases.map(({ index, label, input }) => ({ index, label, input })),
    params: run.params,
    repeats: run.repeats,
    cells: views,
    state: run.state === 'finished' ? 'finished' : interrupted || run.state === 'cancelled' ? 'cancelled' : 'finished',
    startedAt: run.createdAt,
    finishedAt: run.finishedAt,
    summaries: summarizeSweep(views, run.variants, run.models),
    consistency: run.repeats > 1 ? sweepConsistency(views) : [],
  };
}
