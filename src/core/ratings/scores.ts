/**
 * A family's scores as the panel, the tree and the CodeLens show them: per
 * variant and per variant × model, a verdict that never names a winner the data
 * cannot support, Bradley–Terry strengths from blind pairs, and the change an
 * accepted rewrite made against its parent, with regressions.
 */
import type { ScoresView, SweepSummary, VariantScoreView } from '../protocol';
import type { LineageRecord, PairRecord, RatingRecord } from '../store/records';
import { variantLabel } from '../family';
import type { ScoreSummary, Verdict } from './stats';
import { compareScores, fitBradleyTerry, rankScores, summarizeScores } from './stats';

const fmt = (s: ScoreSummary) => `${s.mean.toFixed(1)}${s.halfWidth !== undefined ? ` ± ${s.halfWidth.toFixed(1)}` : ''} (n = ${s.n})`;

/** Ratings by answer key: a later rating of the same answer replaces the earlier one. */
export function latestRatings(ratings: readonly RatingRecord[]): RatingRecord[] {
  const byAnswer = new Map<string, RatingRecord>();
  for (const r of ratings) {
    const prior = byAnswer.get(r.answerKey);
    if (!prior || r.updatedAt >= prior.updatedAt) byAnswer.set(r.answerKey, r);
  }
  return [...byAnswer.values()];
}

export interface ScoreInputs {
  family: string;
  ratings: readonly RatingRecord[];
  pairs?: readonly PairRecord[];
  lineage?: readonly LineageRecord[];
  /** Variants in display order (others follow by name). */
  variants?: readonly string[];
  /** Labels for cases by case key, for regressions. */
  caseLabels?: ReadonlyMap<string, string>;
}

/** Everything the scores view shows. */
export function computeScores(inputs: ScoreInputs): ScoresView {
  const ratings = latestRatings(inputs.ratings);
  const order = [...(inputs.variants ?? [])];
  for (const r of ratings) if (!order.includes(r.variant)) order.push(r.variant);

  const byVariant = new Map<string, number[]>();
  const byVariantModel = new Map<string, { variant: string; model: string; scores: number[] }>();
  for (const r of ratings) {
    byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r.score]);
    const key = `${r.variant}\u0000${r.model}`;
    const entry = byVariantModel.get(key) ?? { variant: r.variant, model: r.model, scores: [] };
    entry.scores.push(r.score);
    byVariantModel.set(key, entry);
  }
  const groups = order.flatMap((variant) => {
    const summary = summarizeScores(byVariant.get(variant) ?? []);
    return summary ? [{ key: variant, summary }] : [];
  });
  const ranked = rankScores(groups);
  const variants: VariantScoreView[] = [];
  for (const variant of order) {
    const r = ranked.find((x) => x.key === variant);
    if (!r) continue;
    variants.push({ variant, ...view(r.summary), rank: r.rank, tiedWith: r.tiedWith });
    for (const entry of [...byVariantModel.values()].filter((e) => e.variant === variant).sort((a, b) => a.model.localeCompare(b.model))) {
      variants.push({ variant, model: entry.model, ...view(summarizeScores(entry.scores)!) });
    }
  }

  const scores: ScoresView = { family: inputs.family, variants, verdict: verdictOf(ranked), pairs: inputs.pairs?.length ?? 0 };

  const pairs = inputs.pairs ?? [];
  if (pairs.length > 0) {
    // Players are variants, unless some pairs compare two models of one variant.
    const byModel = pairs.some((p) => p.left.variant === p.right.variant);
    const player = (side: PairRecord['left']) => (byModel ? `${variantLabel(side.variant)} · ${side.model}` : variantLabel(side.variant));
    const verdicts: Verdict[] = pairs.map((p) => ({ a: player(p.left), b: player(p.right), winner: p.winner === 'left' ? 'a' : p.winner === 'right' ? 'b' : 'tie' }));
    const fit = fitBradleyTerry(verdicts);
    scores.strengths = fit.strengths.map((s) => ({ player: s.player, logStrength: s.logStrength, low: s.low, high: s.high, comparisons: s.comparisons }));
    scores.winRate = { players: fit.players, rates: fit.winRate.map((row) => row.map((x) => (x === undefined ? null : x))) };
  }

  const change = latestChange(ratings, inputs.lineage ?? [], inputs.caseLabels);
  if (change) {
    scores.change = change.change;
    if (change.regressions.length) scores.regressions = change.regressions;
  }
  return scores;
}

function view(s: ScoreSummary): Pick<VariantScoreView, 'n' | 'mean' | 'halfWidth' | 'shareHigh'> {
  const out: Pick<VariantScoreView, 'n' | 'mean' | 'halfWidth' | 'shareHigh'> = { n: s.n, mean: s.mean, shareHigh: s.shareHigh };
  if (s.halfWidth !== undefined) out.halfWidth = s.halfWidth;
  return out;
}

/** One sentence: a winner only when the data can tell it from every other variant. */
function verdictOf(ranked: ReturnType<typeof rankScores<string>>): string {
  if (ranked.length === 0) return 'No ratings yet: rate answers 1–5 (keys 1–5 on an answer) to compare variants.';
  const [first, second] = ranked;
  if (!second) return `Only ${variantLabel(first.key)} is rated so far: ${fmt(first.summary)}. Rate another variant's answers to compare.`;
  if (first.tiedWith.length === 0) {
    return `${variantLabel(first.key)} is rated best: ${fmt(first.summary)}, ahead of ${variantLabel(second.key)} at ${fmt(second.summary)}; the 95% intervals of the differences exclude 0.`;
  }
  const tied = first.tiedWith.map(variantLabel).join(', ');
  return `Cannot tell ${variantLabel(first.key)} (${fmt(first.summary)}) apart from ${tied} yet: the difference is within the noise. Rate more answers, or compare them blind.`;
}

/**
 * The newest variant accepted from a suggestion, against its parent, on the
 * cases and models both were rated on; with the cases where the parent's
 * answer was rated 4–5 and the child's lower.
 */
function latestChange(ratings: readonly RatingRecord[], lineage: readonly LineageRecord[], caseLabels?: ReadonlyMap<string, string>): { change: NonNullable<ScoresView['change']>; regressions: NonNullable<ScoresView['regressions']> } | undefined {
  const accepted = [...lineage].filter((l) => l.suggestionId).sort((a, b) => b.createdAt - a.createdAt);
  for (const link of accepted) {
    const parent = ratings.filter((r) => r.variant === link.parent);
    const child = ratings.filter((r) => r.variant === link.variant);
    if (child.length === 0 || parent.length === 0) continue;
    const where = (r: RatingRecord) => `${r.caseKey}\u0000${r.model}`;
    const shared = new Set(parent.map(where).filter((k) => child.some((c) => where(c) === k)));
    const p = summarizeScores(parent.filter((r) => shared.has(where(r))).map((r) => r.score));
    const c = summarizeScores(child.filter((r) => shared.has(where(r))).map((r) => r.score));
    if (!p || !c) continue;
    const comparison = compareScores(c, p);
    const regressions: NonNullable<ScoresView['regressions']> = [];
    for (const key of shared) {
      const mean = (list: RatingRecord[]) => list.reduce((a, r) => a + r.score, 0) / list.length;
      const before = parent.filter((r) => where(r) === key);
      const after = child.filter((r) => where(r) === key);
      const parentScore = mean(before);
      const childScore = mean(after);
      if (parentScore >= 4 && childScore < parentScore) {
        regressions.push({ caseLabel: caseLabels?.get(before[0].caseKey) ?? `case ${before[0].caseKey.slice(0, 6)}`, model: before[0].model, parentScore, childScore });
      }
    }
    return {
      change: { parent: link.parent, child: link.variant, difference: comparison.difference, halfWidth: comparison.halfWidth, distinguishable: comparison.distinguishable, nParent: p.n, nChild: c.n },
      regressions,
    };
  }
  return undefined;
}

/** "★ 4.1 ± 0.3 (n = 18) · 2nd of 3 variants" (or "· tied with base"), for the CodeLens and the tree. */
export function variantScoreLine(scores: ScoresView, variant: string): string | undefined {
  const own = scores.variants.find((v) => v.variant === variant && v.model === undefined);
  if (!own) return undefined;
  const head = `★ ${own.mean.toFixed(1)}${own.halfWidth !== undefined ? ` ± ${own.halfWidth.toFixed(1)}` : ''} (n = ${own.n})`;
  const rated = scores.variants.filter((v) => v.model === undefined).length;
  if (rated < 2) return head;
  if (own.tiedWith?.length) return `${head} · cannot tell from ${own.tiedWith.map(variantLabel).join(', ')}`;
  return `${head} · ${ordinal(own.rank ?? 0)} of ${rated} variants`;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** Fills `meanScore`/`ratings` of sweep summaries from ratings of the sweep's answers. */
export function withRatingSummaries(summaries: readonly SweepSummary[], cells: readonly { variant: string; model: string; paramsIndex: number; answerKey?: string }[], ratings: ReadonlyMap<string, { score: number }>): SweepSummary[] {
  return summaries.map((summary) => {
    const scores = cells
      .filter((c) => c.variant === summary.variant && (summary.model === undefined || (c.model === summary.model && c.paramsIndex === summary.paramsIndex)))
      .flatMap((c) => {
        const rating = c.answerKey ? ratings.get(c.answerKey) : undefined;
        return rating ? [rating.score] : [];
      });
    const out = { ...summary };
    delete out.meanScore;
    delete out.ratings;
    if (scores.length) {
      out.meanScore = scores.reduce((a, b) => a + b, 0) / scores.length;
      out.ratings = scores.length;
    }
    return out;
  });
}
