/**
 * How long a sweep will take, from the speeds each model showed in earlier runs
 * (kept as running means), or cautious guesses for a model never measured.
 */
import type { AnswerMetrics } from '../protocol';

/** What was measured of one model, as running means over its recent answers. */
export interface ModelSpeed {
  tokensPerSecond: number;
  answerTokens: number;
  /** Time to first token when the model was already loaded (undefined until seen). */
  ttftMs?: number;
  /** Time to load the model (undefined until a load was seen). */
  loadMs?: number;
  samples: number;
}

export type ModelSpeeds = Record<string, ModelSpeed>;

/** Used for a model with no measurements: a mid-size model on a laptop GPU. */
export const unmeasuredSpeed: ModelSpeed = { tokensPerSecond: 25, answerTokens: 250, ttftMs: 400, loadMs: 3000, samples: 0 };

/** Older samples fade: a mean over roughly the last `window` answers. */
const window = 50;

/** Folds one answer's metrics into the model's running means. */
export function recordSpeed(speeds: ModelSpeeds, model: string, metrics: AnswerMetrics | undefined): ModelSpeeds {
  if (!metrics?.tokensPerSecond || !metrics.answerTokens) return speeds;
  const prior = speeds[model];
  const n = Math.min(prior?.samples ?? 0, window - 1);
  const blend = (old: number | undefined, value: number | undefined) => (old === undefined ? (value ?? 0) : value === undefined ? old : (old * n + value) / (n + 1));
  const loaded = (metrics.loadMs ?? 0) > 200;
  const next: ModelSpeed = {
    tokensPerSecond: blend(prior?.tokensPerSecond, metrics.tokensPerSecond),
    answerTokens: blend(prior?.answerTokens, metrics.answerTokens),
    // A request that loaded the model says little about the usual time to first token.
    ttftMs: loaded ? prior?.ttftMs : blend(prior?.ttftMs, metrics.ttftMs),
    loadMs: loaded ? blend(prior?.loadMs, metrics.loadMs) : prior?.loadMs,
    samples: (prior?.samples ?? 0) + 1,
  };
  return { ...speeds, [model]: next };
}

export interface SweepEstimate {
  /** Expected wall time, ms. */
  ms: number;
  /** Models with no measurements (their time is a guess). */
  guessed: string[];
}

/**
 * Expected wall time of the requests left: model by model (as the scheduler
 * runs them), each model loaded once, its cells shared by `slots` requests in
 * flight, divided over `hosts` when several serve it.
 */
export function estimateSweep(requestsPerModel: ReadonlyMap<string, number>, speeds: ModelSpeeds, slots: number, hosts = 1): SweepEstimate {
  let ms = 0;
  const guessed: string[] = [];
  for (const [model, count] of requestsPerModel) {
    if (count <= 0) continue;
    const speed = speeds[model] ?? unmeasuredSpeed;
    if (!speeds[model]) guessed.push(model);
    const perRequest = (speed.ttftMs ?? unmeasuredSpeed.ttftMs!) + (speed.answerTokens / Math.max(0.1, speed.tokensPerSecond)) * 1000;
    ms += (speed.loadMs ?? unmeasuredSpeed.loadMs!) + (perRequest * count) / Math.max(1, slots) / Math.max(1, hosts);
  }
  return { ms, guessed };
}

/** "about 40 s", "about 3 min", "about 1 h 20 min". */
export function formatEstimate(ms: number): string {
  if (ms < 1000) return 'under a second';
  if (ms < 10_000) return `about ${Math.round(ms / 1000)} s`;
  if (ms < 60_000) return `about ${Math.round(ms / 5000) * 5} s`;
  if (ms < 3_600_000) return `about ${Math.round(ms / 60_000)} min`;
  const hours = Math.floor(ms / 3_600_000);
  return `about ${hours} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}
