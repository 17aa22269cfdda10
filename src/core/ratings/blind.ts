/**
 * Blind A/B: which two answers to show next, and on which side. Pairs are
 * chosen to learn the most — the least-compared players first, then the ones
 * whose scores are closest — and sides are balanced so position bias cancels.
 */
import { normalizeAnswer } from '../sweep/summary';
import type { PairRecord } from '../store/records';

/** An answer that can take part in a blind comparison. */
export interface BlindAnswer {
  answerKey: string;
  variant: string;
  model: string;
  caseKey: string;
  /** Grid coordinates that must match for two answers to be comparable. */
  caseIndex: number;
  paramsIndex: number;
  repeat: number;
  text: string;
}

export type BlindMode = 'variants' | 'models';

export interface BlindCandidate {
  a: BlindAnswer;
  b: BlindAnswer;
  /** The two players' names, sorted ("base" vs "concise", or "base · llama3.2" …). */
  players: [string, string];
}

/** The player an answer stands for in a mode. */
export function playerOf(answer: Pick<BlindAnswer, 'variant' | 'model'>, mode: BlindMode): string {
  return mode === 'variants' ? answer.variant : `${answer.variant}\u0000${answer.model}`;
}

/** Variants when answers of two or more variants exist, else models. */
export function blindModeFor(answers: readonly BlindAnswer[]): BlindMode | undefined {
  if (new Set(answers.map((a) => a.variant)).size >= 2) return 'variants';
  if (new Set(answers.map((a) => a.model)).size >= 2) return 'models';
  return undefined;
}

/**
 * Every comparable pair: same case and parameter point (and model, when
 * comparing variants; variant, when comparing models), different players,
 * different text (identical answers teach nothing), not judged before.
 */
export function blindCandidates(answers: readonly BlindAnswer[], mode: BlindMode, judged: readonly PairRecord[]): BlindCandidate[] {
  const seen = new Set(judged.map((p) => pairKey(p.left.answerKey, p.right.answerKey)));
  const groups = new Map<string, BlindAnswer[]>();
  for (const answer of answers) {
    const key = [answer.caseIndex, answer.paramsIndex, answer.repeat, mode === 'variants' ? answer.model : answer.variant].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), answer]);
  }
  const out: BlindCandidate[] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = [group[i], group[j]];
        const pa = playerOf(a, mode);
        const pb = playerOf(b, mode);
        if (pa === pb || seen.has(pairKey(a.answerKey, b.answerKey))) continue;
        if (normalizeAnswer(a.text) === normalizeAnswer(b.text)) continue;
        out.push({ a, b, players: pa < pb ? [pa, pb] : [pb, pa] });
      }
    }
  }
  return out;
}

function pairKey(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

export interface BlindChoice {
  left: BlindAnswer;
  right: BlindAnswer;
}

/**
 * Picks the next pair: fewest earlier comparisons of its two players, then the
 * closest mean scores (unknown scores count as close), then `random`. The side
 * goes to whichever player has been on the left less often.
 */
export function chooseBlindPair(candidates: readonly BlindCandidate[], judged: readonly PairRecord[], mode: BlindMode, meanScore: (player: string) => number | undefined, random: () => number = Math.random): BlindChoice | undefined {
  if (candidates.length === 0) return undefined;
  const comparisons = new Map<string, number>();
  const leftCount = new Map<string, number>();
  for (const p of judged) {
    const a = playerOf(p.left, mode);
    const b = playerOf(p.right, mode);
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    comparisons.set(key, (comparisons.get(key) ?? 0) + 1);
    leftCount.set(a, (leftCount.get(a) ?? 0) + 1);
  }
  let best: BlindCandidate | undefined;
  let bestScore: [number, number, number] = [Infinity, Infinity, Infinity];
  for (const candidate of candidates) {
    const count = comparisons.get(candidate.players.join('|')) ?? 0;
    const ma = meanScore(candidate.players[0]);
    const mb = meanScore(candidate.players[1]);
    const gap = ma === undefined || mb === undefined ? 0 : Math.abs(ma - mb);
    const score: [number, number, number] = [count, gap, random()];
    if (score[0] < bestScore[0] || (score[0] === bestScore[0] && (score[1] < bestScore[1] || (score[1] === bestScore[1] && score[2] < bestScore[2])))) {
      best = candidate;
      bestScore = score;
    }
  }
  if (!best) return undefined;
  const la = leftCount.get(playerOf(best.a, mode)) ?? 0;
  const lb = leftCount.get(playerOf(best.b, mode)) ?? 0;
  const aLeft = la < lb || (la === lb && random() < 0.5);
  return aLeft ? { left: best.a, right: best.b } : { left: best.b, right: best.a };
}
