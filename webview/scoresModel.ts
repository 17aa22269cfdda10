/**
 * The words and geometry of the scores view: score labels with their interval,
 * ranks and ties, the change of an accepted rewrite, the scales of the two
 * charts and the win-rate matrix. Pure (no DOM): unit-tested in
 * test/unit/scoresModel.test.ts.
 */
import * as l10n from '@vscode/l10n';
import type { ScoresView, StrengthView, VariantScoreView } from '../src/core/protocol';
import { variantLabel } from './format';

/** The rating scale. */
export const scoreMin = 1;
export const scoreMax = 5;

/** A usable interval half-width: finite and not negative (JSON turns Infinity into null). */
export function knownHalfWidth(halfWidth: number | null | undefined): number | undefined {
  return typeof halfWidth === 'number' && Number.isFinite(halfWidth) && halfWidth >= 0 ? halfWidth : undefined;
}

/** "4.1 ± 0.3 (n = 18)"; without an interval (fewer than 2 ratings) "4.0 (n = 1)". */
export function scoreLabel(score: Pick<VariantScoreView, 'mean' | 'halfWidth' | 'n'>): string {
  const half = knownHalfWidth(score.halfWidth);
  const mean = score.mean.toFixed(1);
  return half === undefined ? l10n.t('{0} (n = {1})', mean, score.n) : l10n.t('{0} ± {1} (n = {2})', mean, half.toFixed(1), score.n);
}

/** "tied with concise, formal" when the data cannot tell them apart, else "rank 2"; empty without either. */
export function rankLabel(score: Pick<VariantScoreView, 'rank' | 'tiedWith'>): string {
  if (score.tiedWith && score.tiedWith.length > 0) return l10n.t('tied with {0}', score.tiedWith.map(variantLabel).join(', '));
  return score.rank !== undefined ? l10n.t('rank {0}', score.rank) : '';
}

/** The 95% interval of a mean, clamped to the scale. */
export function scoreInterval(score: Pick<VariantScoreView, 'mean' | 'halfWidth'>): { low: number; high: number } | undefined {
  const half = knownHalfWidth(score.halfWidth);
  if (half === undefined) return undefined;
  return { low: Math.max(scoreMin, score.mean - half), high: Math.min(scoreMax, score.mean + half) };
}

/** Where a score sits on the 1–5 axis, as a fraction 0–1 (clamped). */
export function scoreFraction(value: number): number {
  return clamp01((value - scoreMin) / (scoreMax - scoreMin));
}

/** The overall row of each variant (every model together), in the host's order. */
export function variantRows(scores: Pick<ScoresView, 'variants'>): VariantScoreView[] {
  return scores.variants.filter((v) => v.model === undefined);
}

/** The per variant × model table: variants as rows, models as columns, in first-seen order. */
export function modelTable(scores: Pick<ScoresView, 'variants'>): { variants: string[]; models: string[]; cell: (variant: string, model: string) => VariantScoreView | undefined } {
  const variants: string[] = [];
  const models: string[] = [];
  const cells = new Map<string, VariantScoreView>();
  for (const v of scores.variants) {
    if (!variants.includes(v.variant)) variants.push(v.variant);
    if (v.model === undefined) continue;
    if (!models.includes(v.model)) models.push(v.model);
    cells.set(`${v.variant}\u0000${v.model}`, v);
  }
  return { variants, models, cell: (variant, model) => cells.get(`${variant}\u0000${model}`) };
}

/** "72% rated 4–5". */
export function shareHighText(shareHigh: number): string {
  return l10n.t('{0}% rated 4–5', Math.round(clamp01(shareHigh) * 100));
}

export type ChangeOutcome = 'better' | 'worse' | 'cannot tell yet';

/** How an accepted rewrite compares with its parent, in words that never overstate it. */
export function changeSummary(change: NonNullable<ScoresView['change']>): { text: string; outcome: ChangeOutcome; detail: string } {
  const half = knownHalfWidth(change.halfWidth);
  const outcome: ChangeOutcome = change.distinguishable && half !== undefined && change.difference !== 0 ? (change.difference > 0 ? 'better' : 'worse') : 'cannot tell yet';
  const child = variantLabel(change.child);
  const parent = variantLabel(change.parent);
  const difference = signed(change.difference, 1);
  const text = half === undefined
    ? l10n.t('{0} vs {1}: {2} (too few ratings for an interval) — {3}', child, parent, difference, outcomeWords(outcome))
    : l10n.t('{0} vs {1}: {2} ± {3} — {4}', child, parent, difference, half.toFixed(1), outcomeWords(outcome));
  const detail = l10n.t('on the cases both were rated on: n = {0} vs {1}', change.nChild, change.nParent);
  return { text, outcome, detail };
}

/** The outcome in words (the outcome itself is a key: `data-outcome`). */
function outcomeWords(outcome: ChangeOutcome): string {
  switch (outcome) {
    case 'better':
      return l10n.t('better');
    case 'worse':
      return l10n.t('worse');
    case 'cannot tell yet':
      return l10n.t('cannot tell yet');
  }
}

/** "case 2: Local models essay · llama3.2: 5 → 2". */
export function regressionText(regression: NonNullable<ScoresView['regressions']>[number]): string {
  return `${regression.caseLabel} · ${regression.model}: ${regression.parentScore} → ${regression.childScore}`;
}

/** "+0.8", "−0.3" (a real minus sign), "0.0". */
export function signed(value: number, digits: number): string {
  const text = Math.abs(value).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return `${value > 0 ? '+' : '−'}${text}`;
}

/**
 * The symmetric axis of the strengths chart: ±bound, a step of 0.5 or a whole
 * number that covers every interval (at least ±1).
 */
export function strengthBound(strengths: readonly Pick<StrengthView, 'logStrength' | 'low' | 'high'>[]): number {
  let widest = 1;
  for (const s of strengths) {
    for (const v of [s.logStrength, s.low, s.high]) if (Number.isFinite(v)) widest = Math.max(widest, Math.abs(v));
  }
  return widest <= 2 ? Math.ceil(widest * 2) / 2 : Math.ceil(widest);
}

/** Ticks of the strengths axis: every 0.5 up to ±2, every whole number up to ±4, else every 2; labelled "−1", "0", "+0.5". */
export function strengthTicks(bound: number): { value: number; label: string }[] {
  const step = bound <= 2 ? 0.5 : bound <= 4 ? 1 : 2;
  const ticks: { value: number; label: string }[] = [];
  for (let i = -Math.floor(bound / step); i <= Math.floor(bound / step); i++) {
    const value = i * step;
    ticks.push({ value, label: signed(value, Number.isInteger(value) ? 0 : 1) });
  }
  return ticks;
}

/** Where a log-strength sits on the ±bound axis, as a fraction 0–1 (0 in the middle, clamped). */
export function strengthFraction(value: number, bound: number): number {
  if (!Number.isFinite(value)) return value > 0 ? 1 : 0;
  return clamp01((value + bound) / (2 * bound));
}

/** "+0.62 (−0.10 to +1.34) · 14 comparisons". */
export function strengthLabel(strength: StrengthView): string {
  const interval = l10n.t('{0} ({1} to {2})', signed(strength.logStrength, 2), signed(strength.low, 2), signed(strength.high, 2));
  const comparisons = strength.comparisons === 1 ? l10n.t('1 comparison') : l10n.t('{0} comparisons', strength.comparisons);
  return [interval, comparisons].join(' · ');
}

/** "67%", or "—" when the two were never compared. */
export function winRateText(rate: number | null | undefined): string {
  return typeof rate === 'number' && Number.isFinite(rate) ? `${Math.round(clamp01(rate) * 100)}%` : '—';
}

/** What a win-rate cell means, for its tooltip and screen readers. */
export function winRateDescription(row: string, column: string, rate: number | null | undefined): string {
  if (typeof rate !== 'number' || !Number.isFinite(rate)) return l10n.t('{0} and {1} were never compared', row, column);
  return l10n.t('{0} won {1} of its blind comparisons with {2} (ties count half)', row, winRateText(rate), column);
}

/** A colour slot (0–5) per variant, in the order the chart lists them. */
export function colourSlot(index: number): number {
  return ((index % 6) + 6) % 6;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
