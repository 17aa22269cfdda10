import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { BlindPairView } from './core/protocol';
import type { BlindAnswer, BlindChoice, BlindMode } from './core/ratings/blind';
import { blindCandidates, blindModeFor, chooseBlindPair, playerOf } from './core/ratings/blind';
import { latestRatings } from './core/ratings/scores';
import type { PairRecord } from './core/store/records';
import { caseKeyOf } from './core/sweep/plan';
import type { PromptLoopPanel } from './panel/promptLoopPanel';
import type { RatingController } from './ratingController';
import type { StoreService } from './storeService';
import type { SweepController } from './sweepController';

interface Session {
  root: string;
  familyId: string;
  family: string;
  mode: BlindMode;
  answers: BlindAnswer[];
  /** The cases of the sweep the session started on (the panel may show another sweep later). */
  cases: { label: string; input: Record<string, unknown> }[];
  judged: number;
  /** The pair on screen, with which answer is on which side (the webview never knows). */
  shown?: { pairId: string; choice: BlindChoice; caseLabel: string; input: Record<string, unknown>; remaining: number };
}

/**
 * Prompt Loop: Compare Blind — two answers to the same case, from two variants
 * (or two models), in random order and without names; the user picks the
 * better one or a tie, and the next pair comes at once.
 */
export class BlindController {
  private session: Session | undefined;
  private panel!: PromptLoopPanel;

  constructor(
    private readonly sweeps: SweepController,
    private readonly ratings: RatingController,
    private readonly stores: StoreService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  attach(panel: PromptLoopPanel): void {
    this.panel = panel;
  }

  get current(): BlindPairView | undefined {
    return this.session?.shown && this.viewOf(this.session, this.session.shown);
  }

  /** Starts a blind session on the answers of the shown sweep. Resolves the first pair (undefined when there is none). */
  async start(): Promise<BlindPairView | undefined> {
    const sweep = this.sweeps.view;
    const ref = this.sweeps.shownFamily();
    if (!sweep || !ref) throw new Error(vscode.l10n.t('Run a variant sweep first: blind A/B compares the answers of a sweep.'));
    const answers: BlindAnswer[] = sweep.cells.flatMap((cell) =>
      (cell.status === 'done' || cell.status === 'cached') && cell.answerKey && cell.text.trim()
        ? [{ answerKey: cell.answerKey, variant: cell.variant, model: cell.model, caseKey: caseKeyOf(sweep.cases[cell.caseIndex]?.input ?? {}), caseIndex: cell.caseIndex, paramsIndex: cell.paramsIndex, repeat: cell.repeat, text: cell.text }]
        : [],
    );
    const mode = blindModeFor(answers);
    if (!mode) throw new Error(vscode.l10n.t('This sweep has one variant and one model: blind A/B needs answers from two variants or two models.'));
    this.session = { root: ref.root, familyId: ref.id, family: sweep.family, mode, answers, cases: sweep.cases.map(({ label, input }) => ({ label, input })), judged: 0 };
    const pair = await this.next();
    this.panel.bringForward('blind');
    return pair;
  }

  /** Records a verdict on the shown pair and shows the next one. */
  async verdict(pairId: string, winner: 'left' | 'right' | 'tie', comment?: string): Promise<BlindPairView | undefined> {
    const session = this.session;
    const shown = session?.shown;
    if (!session || !shown || shown.pairId !== pairId) throw new Error(vscode.l10n.t('That pair is no longer shown.'));
    const { left, right } = shown.choice;
    const record: PairRecord = {
      id: randomUUID(),
      family: session.familyId,
      caseKey: left.caseKey,
      left: { answerKey: left.answerKey, variant: left.variant, model: left.model },
      right: { answerKey: right.answerKey, variant: right.variant, model: right.model },
      winner,
      createdAt: Date.now(),
    };
    const text = comment?.trim();
    if (text) record.comment = text;
    const store = await this.stores.forRoot(session.root);
    await store.putPair(record);
    session.judged++;
    this.log.info(`Blind verdict ${winner} (${playerOf(left, session.mode)} vs ${playerOf(right, session.mode)})`);
    await this.ratings.pairsChanged({ root: session.root, id: session.familyId });
    return this.next();
  }

  /** Skips the shown pair (it may come back later). */
  async skip(pairId: string): Promise<BlindPairView | undefined> {
    if (this.session?.shown?.pairId !== pairId) throw new Error(vscode.l10n.t('That pair is no longer shown.'));
    return this.next(pairId);
  }

  private async next(skipped?: string): Promise<BlindPairView | undefined> {
    const session = this.session!;
    const store = await this.stores.forRoot(session.root);
    const [judged, ratings] = await Promise.all([store.pairs(session.familyId), store.ratings(session.familyId)]);
    let candidates = blindCandidates(session.answers, session.mode, judged);
    if (skipped && session.shown && candidates.length > 1) {
      const { left, right } = session.shown.choice;
      candidates = candidates.filter((c) => !((c.a === left && c.b === right) || (c.a === right && c.b === left)));
    }
    const means = new Map<string, { sum: number; n: number }>();
    for (const r of latestRatings(ratings)) {
      const player = playerOf(r, session.mode);
      const m = means.get(player) ?? { sum: 0, n: 0 };
      m.sum += r.score;
      m.n++;
      means.set(player, m);
    }
    const choice = chooseBlindPair(candidates, judged, session.mode, (p) => {
      const m = means.get(p);
      return m ? m.sum / m.n : undefined;
    });
    if (!choice) {
      session.shown = undefined;
      const message = session.judged > 0
        ? vscode.l10n.t('No more pairs: all {0} distinct pairs of this sweep are judged. The Scores view shows what they say.', judged.length)
        : vscode.l10n.t('No pairs to compare: the answers of different variants are identical, or all were judged before.');
      this.panel.post({ type: 'blindPair', message });
      return undefined;
    }
    const testCase = session.cases[choice.left.caseIndex];
    session.shown = { pairId: randomUUID(), choice, caseLabel: testCase?.label ?? '', input: testCase?.input ?? {}, remaining: candidates.length - 1 };
    const view = this.viewOf(session, session.shown);
    this.panel.post({ type: 'blindPair', pair: view });
    return view;
  }

  private viewOf(session: Session, shown: NonNullable<Session['shown']>): BlindPairView {
    return {
      pairId: shown.pairId,
      family: session.family,
      caseLabel: shown.caseLabel,
      input: shown.input,
      left: shown.choice.left.text,
      right: shown.choice.right.text,
      judged: session.judged,
      remaining: shown.remaining,
    };
  }
}
