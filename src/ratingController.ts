import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { caseLabel } from './core/cases';
import type { VariantFamily } from './core/family';
import { familyIdOf } from './core/family';
import type { RatingView, ScoresView } from './core/protocol';
import { computeScores, latestRatings, variantScoreLine, withRatingSummaries } from './core/ratings/scores';
import type { PromptStore } from './core/store/promptStore';
import type { RatingRecord } from './core/store/records';
import { caseKeyOf } from './core/sweep/plan';
import { sweepProgress } from './core/sweep/summary';
import type { FamilyIndex } from './familyIndex';
import { workspaceRootFor } from './familyIndex';
import type { PromptLoopPanel } from './panel/promptLoopPanel';
import type { RunController } from './runController';
import type { StoreService } from './storeService';
import type { SweepController } from './sweepController';

/** A family as the ratings see it: its store and id. */
export interface FamilyRef {
  root: string;
  id: string;
}

/**
 * Ratings: saves them at once (keyed by the stored answer), keeps the panel's
 * view of them current, and turns them into scores for the panel, the Prompt
 * Families view and the CodeLens.
 */
export class RatingController implements vscode.Disposable {
  private ratings: RatingView[] = [];
  private scoresView: ScoresView | undefined;
  private readonly changed = new vscode.EventEmitter<FamilyRef>();
  /** Fires after ratings or pairs of a family changed. */
  readonly onDidChange = this.changed.event;
  private panel!: PromptLoopPanel;
  private scoreCache = new Map<string, Promise<ScoresView>>();

  constructor(
    private readonly runs: RunController,
    private readonly sweeps: SweepController,
    private readonly families: FamilyIndex,
    private readonly stores: StoreService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  attach(panel: PromptLoopPanel): void {
    this.panel = panel;
  }

  /** What the panel holds: ratings of the shown answers, and the scores of the shown family. */
  get current(): { ratings: RatingView[]; scores?: ScoresView } {
    return { ratings: this.ratings, scores: this.scoresView };
  }

  /** The family the panel is about: the shown sweep's, else the current run's. */
  shownFamily(): FamilyRef | undefined {
    const sweep = this.sweeps.shownFamily();
    if (sweep) return sweep;
    const run = this.runs.currentRun;
    if (run && path.isAbsolute(run.promptPath)) {
      const root = workspaceRootFor(vscode.Uri.file(run.promptPath));
      return { root, id: familyIdOf(run.promptPath, root) };
    }
    return undefined;
  }

  /** Re-reads the ratings of what the panel shows and sends them (after a run or sweep, or a reload). */
  async refresh(): Promise<void> {
    const families = new Map<string, FamilyRef>();
    const sweep = this.sweeps.shownFamily();
    if (sweep) families.set(`${sweep.root}\u0000${sweep.id}`, sweep);
    const run = this.runs.currentRun;
    if (run && path.isAbsolute(run.promptPath)) {
      const root = workspaceRootFor(vscode.Uri.file(run.promptPath));
      const ref = { root, id: familyIdOf(run.promptPath, root) };
      families.set(`${ref.root}\u0000${ref.id}`, ref);
    }
    const all: RatingView[] = [];
    for (const ref of families.values()) {
      try {
        const store = await this.stores.forRoot(ref.root);
        all.push(...latestRatings(await store.ratings(ref.id)).map(toView));
      } catch (error) {
        this.log.warn(`Ratings of ${ref.id} not read: ${this.stores.describe(error)}`);
      }
    }
    this.ratings = all;
    this.panel.post({ type: 'ratings', ratings: all });
    await this.refreshScores();
    this.patchSweepSummaries();
  }

  /** Saves a rating of a stored answer (replacing the earlier one of the same answer). */
  async rate(answerKey: string, score: number, comment?: string, tags?: string[]): Promise<void> {
    const { store, ref } = await this.locate(answerKey);
    const answer = await store.getAnswer(answerKey);
    if (!answer) throw new Error(vscode.l10n.t('That answer is not in the results store, so it cannot be rated. Run it again.'));
    if (answer.status !== 'done') throw new Error(vscode.l10n.t('Only finished answers can be rated; this one was {0}.', answer.status === 'stopped' ? vscode.l10n.t('stopped') : vscode.l10n.t('cut off by an error')));
    const existing = latestRatings(await store.ratings(answer.family)).find((r) => r.answerKey === answerKey);
    const now = Date.now();
    const record: RatingRecord = {
      id: existing?.id ?? randomUUID(),
      answerKey,
      family: answer.family,
      variant: answer.variant,
      model: answer.model,
      caseKey: answer.caseKey,
      score,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    if (Object.keys(answer.params).length) record.params = answer.params;
    const text = comment?.trim();
    if (text) record.comment = text;
    const cleanTags = [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))];
    if (cleanTags.length) record.tags = cleanTags;
    await store.putRating(record);
    this.upsert(toView(record));
    await this.afterChange({ root: ref.root, id: answer.family });
  }

  /** Removes the rating of an answer. */
  async clear(answerKey: string): Promise<void> {
    const { store, ref } = await this.locate(answerKey);
    const answer = await store.getAnswer(answerKey);
    const family = answer?.family ?? ref.id;
    for (const rating of (await store.ratings(family)).filter((r) => r.answerKey === answerKey)) await store.deleteRating(family, rating.id);
    this.ratings = this.ratings.filter((r) => r.answerKey !== answerKey);
    this.panel.post({ type: 'ratings', ratings: [], removed: [answerKey] });
    await this.afterChange({ root: ref.root, id: family });
  }

  /** Scores of a family (cached until its ratings change). */
  scoresOf(ref: FamilyRef): Promise<ScoresView> {
    const key = `${ref.root}\u0000${ref.id}`;
    let scores = this.scoreCache.get(key);
    if (!scores) {
      scores = this.computeFor(ref);
      this.scoreCache.set(key, scores);
      scores.catch(() => this.scoreCache.delete(key));
    }
    return scores;
  }

  /** The family of a prompt file, from the index (no file reads). */
  familyOf(uri: vscode.Uri): Promise<VariantFamily | undefined> {
    return this.families.familyOf(uri);
  }

  /** "★ 4.1 ± 0.3 (n = 18) · 2nd of 3 variants", or undefined when the variant has no ratings. */
  async scoreLine(family: VariantFamily, variant: string): Promise<string | undefined> {
    try {
      const root = workspaceRootFor(vscode.Uri.file(family.folder));
      return variantScoreLine(await this.scoresOf({ root, id: family.id }), variant);
    } catch {
      return undefined;
    }
  }

  /** Shows the scores view for the panel's family. */
  async showScores(): Promise<void> {
    await this.refreshScores();
    if (!this.scoresView) throw new Error(vscode.l10n.t('Nothing rated yet: run a prompt or a sweep, then rate answers with 1–5.'));
    this.panel.bringForward('scores');
  }

  /** Called by the blind view after a verdict: pairs change the scores. */
  async pairsChanged(ref: FamilyRef): Promise<void> {
    await this.afterChange(ref);
  }

  private async afterChange(ref: FamilyRef): Promise<void> {
    this.scoreCache.delete(`${ref.root}\u0000${ref.id}`);
    this.changed.fire(ref);
    await this.refreshScores();
    this.patchSweepSummaries();
  }

  private upsert(view: RatingView): void {
    this.ratings = [...this.ratings.filter((r) => r.answerKey !== view.answerKey), view];
    this.panel.post({ type: 'ratings', ratings: [view] });
  }

  private async refreshScores(): Promise<void> {
    const ref = this.shownFamily();
    if (!ref) return;
    try {
      this.scoresView = await this.scoresOf(ref);
      this.panel.post({ type: 'scores', scores: this.scoresView });
    } catch (error) {
      this.log.warn(`Scores of ${ref.id} not computed: ${this.stores.describe(error)}`);
    }
  }

  /** The sweep grid's summary row shows mean scores: recompute them from the ratings. */
  private patchSweepSummaries(): void {
    const view = this.sweeps.view;
    if (!view) return;
    const byKey = new Map(this.ratings.map((r) => [r.answerKey, r]));
    view.summaries = withRatingSummaries(view.summaries, view.cells, byKey);
    this.panel.post({ type: 'sweepCells', sweepId: view.sweepId, updates: [], progress: sweepProgress(view.cells), summaries: view.summaries });
  }

  private async computeFor(ref: FamilyRef): Promise<ScoresView> {
    const store = await this.stores.forRoot(ref.root);
    const [ratings, pairs, lineage] = await Promise.all([store.ratings(ref.id), store.pairs(ref.id), store.lineage(ref.id)]);
    const family = (await this.families.all()).find((f) => f.id === ref.id);
    const caseLabels = new Map<string, string>();
    if (family) {
      for (const testCase of (await this.families.cases(family))?.cases ?? []) caseLabels.set(caseKeyOf(testCase.input), caseLabel(testCase));
    }
    caseLabels.set(caseKeyOf({}), 'defaults');
    return computeScores({ family: family?.name ?? ref.id.split('/').pop() ?? ref.id, ratings, pairs, lineage, variants: family?.variants.map((v) => v.variant), caseLabels });
  }

  /** The store that holds an answer shown in the panel. */
  private async locate(answerKey: string): Promise<{ store: PromptStore; ref: FamilyRef }> {
    const sweep = this.sweeps.shownFamily();
    const inSweep = sweep && this.sweeps.view?.cells.some((c) => c.answerKey === answerKey);
    const ref = inSweep ? sweep : this.shownFamily();
    if (!ref) throw new Error(vscode.l10n.t('That answer is no longer shown.'));
    return { store: await this.stores.forRoot(ref.root), ref };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function toView(record: RatingRecord): RatingView {
  const view: RatingView = { answerKey: record.answerKey, score: record.score, updatedAt: record.updatedAt };
  if (record.comment) view.comment = record.comment;
  if (record.tags?.length) view.tags = record.tags;
  return view;
}
