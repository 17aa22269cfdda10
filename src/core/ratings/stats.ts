/**
 * What the user's ratings say, with honest uncertainty: means with 95%
 * confidence intervals, a test of whether two variants can be told apart, and
 * Bradley–Terry strengths from blind A/B verdicts.
 */

/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom. */
const t975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
  2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The t quantile for a 95% interval with `df` degrees of freedom (normal beyond 30, interpolated by 1/df). */
export function tQuantile95(df: number): number {
  if (df < 1) return Infinity;
  if (df <= 30) {
    const lo = Math.floor(df);
    const hi = Math.ceil(df);
    if (lo === hi) return t975[lo - 1];
    // Welch's df is fractional: interpolate between neighbours.
    return t975[lo - 1] + (t975[hi - 1] - t975[lo - 1]) * (df - lo);
  }
  // 1.96 + 2.4/df is within 0.003 of the exact quantile for df > 30.
  return 1.96 + 2.4 / df;
}

export interface ScoreSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (0 for n = 1). */
  sd: number;
  /** Half-width of the 95% confidence interval of the mean; undefined for n < 2. */
  halfWidth?: number;
  /** Share of ratings of 4 or 5. */
  shareHigh: number;
}

/** Mean, spread and 95% interval of a set of 1–5 scores; undefined when empty. */
export function summarizeScores(scores: readonly number[]): ScoreSummary | undefined {
  const n = scores.length;
  if (n === 0) return undefined;
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  const summary: ScoreSummary = { n, mean, sd, shareHigh: scores.filter((s) => s >= 4).length / n };
  if (n >= 2) summary.halfWidth = tQuantile95(n - 1) * (sd / Math.sqrt(n));
  return summary;
}

export interface Comparison {
  /** Mean of a minus mean of b. */
  difference: number;
  /** Half-width of the 95% interval of the difference (Welch). */
  halfWidth: number;
  /** True when the interval of the difference excludes 0: the data tell the two apart. */
  distinguishable: boolean;
}

/** Fewer ratings than this per side never separate two variants. */
export const minRatingsToCompare = 3;

/**
 * Welch's comparison of two variants' mean scores. With fewer than
 * `minRatingsToCompare` ratings on a side, or an interval that contains 0, the
 * data cannot tell them apart.
 */
export function compareScores(a: ScoreSummary, b: ScoreSummary): Comparison {
  const difference = a.mean - b.mean;
  if (a.n < minRatingsToCompare || b.n < minRatingsToCompare) return { difference, halfWidth: Infinity, distinguishable: false };
  const va = a.sd ** 2 / a.n;
  const vb = b.sd ** 2 / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { difference, halfWidth: 0, distinguishable: difference !== 0 };
  const df = (va + vb) ** 2 / ((va ** 2) / (a.n - 1) + (vb ** 2) / (b.n - 1));
  const halfWidth = tQuantile95(df) * se;
  return { difference, halfWidth, distinguishable: Math.abs(difference) > halfWidth };
}

export interface RankedScore<K> {
  key: K;
  summary: ScoreSummary;
  /** 1-based rank by mean. */
  rank: number;
  /** Keys this one cannot be told apart from. */
  tiedWith: K[];
}

/**
 * Ranks groups by mean score. A group's `tiedWith` lists the groups whose
 * difference from it the data cannot establish, so "best" is only claimed
 * when the leader is distinguishable from everyone else.
 */
export function rankScores<K>(groups: readonly { key: K; summary: ScoreSummary }[]): RankedScore<K>[] {
  const sorted = [...groups].sort((x, y) => y.summary.mean - x.summary.mean || y.summary.n - x.summary.n);
  return sorted.map((group, index) => ({
    key: group.key,
    summary: group.summary,
    rank: index + 1,
    tiedWith: sorted.filter((other) => other !== group && !compareScores(group.summary, other.summary).distinguishable).map((other) => other.key),
  }));
}

// ------------------------------------------------------------ Bradley–Terry

/** One blind verdict between two players (variants, or variant × model). */
export interface Verdict {
  a: string;
  b: string;
  /** 'a', 'b' or a tie. */
  winner: 'a' | 'b' | 'tie';
}

export interface Strength {
  player: string;
  /** log-strength, centred so the mean over players is 0. */
  logStrength: number;
  /** 95% interval of the log-strength. */
  low: number;
  high: number;
  /** Comparisons this player took part in. */
  comparisons: number;
}

export interface BradleyTerry {
  strengths: Strength[];
  /** winRate[i][j]: share of i's comparisons with j that i won (a tie counts half); undefined when never compared. */
  winRate: (number | undefined)[][];
  players: string[];
  iterations: number;
}

/**
 * Fits Bradley–Terry strengths by the MM algorithm (Hunter 2004). A tie counts
 * as half a win for each side. Every player also gets one virtual tie against
 * an average opponent, a weak prior that keeps an unbeaten player's strength
 * finite and makes the information matrix invertible. Intervals come from the
 * observed information (the negated Hessian of the log-likelihood in
 * log-strengths), for the centred log-strengths.
 */
export function fitBradleyTerry(verdicts: readonly Verdict[], players?: readonly string[]): BradleyTerry {
  const names = [...new Set([...(players ?? []), ...verdicts.flatMap((v) => [v.a, v.b])])];
  const k = names.length;
  const index = new Map(names.map((name, i) => [name, i]));
  // wins[i][j]: (fractional) wins of i over j; games[i][j]: comparisons between i and j.
  const wins = names.map(() => new Array<number>(k).fill(0));
  const games = names.map(() => new Array<number>(k).fill(0));
  for (const v of verdicts) {
    const i = index.get(v.a)!;
    const j = index.get(v.b)!;
    if (i === j) continue;
    games[i][j]++;
    games[j][i]++;
    const share = v.winner === 'a' ? 1 : v.winner === 'b' ? 0 : 0.5;
    wins[i][j] += share;
    wins[j][i] += 1 - share;
  }
  const prior = 1; // one virtual game (half won) against an opponent of strength 1
  let p = new Array<number>(k).fill(1);
  let iterations = 0;
  for (; iterations < 1000; iterations++) {
    const next = p.map((pi, i) => {
      let w = prior / 2;
      let denom = prior / (pi + 1);
      for (let j = 0; j < k; j++) {
        if (j === i || games[i][j] === 0) continue;
        w += wins[i][j];
        denom += games[i][j] / (pi + p[j]);
      }
      return w / denom;
    });
    // Fix the scale: geometric mean 1.
    const g = Math.exp(next.reduce((a, x) => a + Math.log(x), 0) / Math.max(1, k));
    const scaled = next.map((x) => x / g);
    const change = Math.max(...scaled.map((x, i) => Math.abs(Math.log(x) - Math.log(p[i]))), 0);
    p = scaled;
    if (change < 1e-9) break;
  }

  // Observed information of β = log p: H[i][i] = Σ_j n_ij p_i p_j / (p_i + p_j)^2 (+ prior), H[i][j] = −n_ij p_i p_j / (p_i + p_j)^2.
  const info = names.map((_, i) => names.map((__, j) => {
    if (i === j) return 0;
    const n = games[i][j];
    return n === 0 ? 0 : (-n * p[i] * p[j]) / (p[i] + p[j]) ** 2;
  }));
  for (let i = 0; i < k; i++) info[i][i] = -info[i].reduce((a, x) => a + x, 0) + (prior * p[i]) / (p[i] + 1) ** 2;
  // Strengths are only defined up to a common shift (the prior barely pins it): report the
  // covariance of the centred log-strengths, C Σ Cᵀ with C = I − 11ᵀ/k.
  const raw = invert(info);
  const covariance = raw && centre(raw);
  const strengths: Strength[] = names.map((player, i) => {
    const beta = Math.log(p[i]);
    const se = covariance ? Math.sqrt(Math.max(0, covariance[i][i])) : Infinity;
    return { player, logStrength: beta, low: beta - 1.96 * se, high: beta + 1.96 * se, comparisons: games[i].reduce((a, x) => a + x, 0) };
  });
  const winRate = names.map((_, i) => names.map((__, j) => (games[i][j] > 0 ? wins[i][j] / games[i][j] : undefined)));
  return { strengths, winRate, players: names, iterations };
}

/** The probability that `a` beats `b` under fitted log-strengths. */
export function winProbability(logA: number, logB: number): number {
  return 1 / (1 + Math.exp(logB - logA));
}

/** C Σ Cᵀ for the centring matrix C = I − 11ᵀ/k. */
function centre(sigma: number[][]): number[][] {
  const k = sigma.length;
  const rowMean = sigma.map((row) => row.reduce((a, x) => a + x, 0) / k);
  const colMean = sigma[0].map((_, j) => sigma.reduce((a, row) => a + row[j], 0) / k);
  const all = rowMean.reduce((a, x) => a + x, 0) / k;
  return sigma.map((row, i) => row.map((x, j) => x - rowMean[i] - colMean[j] + all));
}

/** Gauss–Jordan inverse of a small symmetric matrix; undefined when singular. */
function invert(matrix: number[][]): number[][] | undefined {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) < 1e-12) return undefined;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const div = a[col][col];
    for (let c = 0; c < 2 * n; c++) a[col][c] /= div;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r][col];
      if (factor === 0) continue;
      for (let c = 0; c < 2 * n; c++) a[r][c] -= factor * a[col][c];
    }
  }
  return a.map((row) => row.slice(n));
}
