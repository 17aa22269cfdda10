/**
 * Ratings out of the product: rated answers as CSV/JSONL rows, and preference
 * pairs (prompt, chosen, rejected) as JSONL for fine-tuning pipelines.
 */
import type { AnswerRecord, PairRecord, PromptRecord, RatingRecord } from '../store/records';
import { variantLabel } from '../family';
import { latestRatings } from './scores';

type Messages = PromptRecord['messages'];

export interface RatedAnswerRow {
  family: string;
  variant: string;
  model: string;
  case_input: Record<string, unknown>;
  prompt?: Messages;
  answer: string;
  score: number;
  comment?: string;
  tags?: string;
  rated_at: string;
  answer_key: string;
}

/** One row per rated answer (the latest rating of each), oldest first. */
export function ratedAnswerRows(ratings: readonly RatingRecord[], answers: ReadonlyMap<string, AnswerRecord>, prompts: ReadonlyMap<string, PromptRecord>): RatedAnswerRow[] {
  return latestRatings(ratings)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
    .flatMap((rating) => {
      const answer = answers.get(rating.answerKey);
      if (!answer) return [];
      const prompt = prompts.get(answer.promptHash);
      const row: RatedAnswerRow = {
        family: rating.family,
        variant: variantLabel(rating.variant),
        model: rating.model,
        case_input: prompt?.input ?? {},
        answer: answer.text,
        score: rating.score,
        rated_at: new Date(rating.updatedAt).toISOString(),
        answer_key: rating.answerKey,
      };
      if (prompt) row.prompt = prompt.messages;
      if (rating.comment) row.comment = rating.comment;
      if (rating.tags?.length) row.tags = rating.tags.join(', ');
      return [row];
    });
}

export interface PreferencePair {
  /** The messages the chosen answer answered. */
  prompt: Messages;
  chosen: string;
  rejected: string;
  /** The rejected answer's messages, when they differ (two variants of a prompt). */
  rejected_prompt?: Messages;
  source: 'blind' | 'ratings';
  family: string;
  chosen_variant: string;
  rejected_variant: string;
  chosen_model: string;
  rejected_model: string;
  case_input: Record<string, unknown>;
  /** Score difference (ratings), or 1 (a blind verdict). */
  margin: number;
}

/**
 * Preference pairs: every blind verdict that was not a tie, and every two rated
 * answers to the same case whose scores differ. Answers whose prompt is not
 * stored are left out (the pair would have no prompt).
 */
export function preferencePairs(ratings: readonly RatingRecord[], pairs: readonly PairRecord[], answers: ReadonlyMap<string, AnswerRecord>, prompts: ReadonlyMap<string, PromptRecord>): PreferencePair[] {
  const out: PreferencePair[] = [];
  const make = (chosenKey: string, rejectedKey: string, source: PreferencePair['source'], margin: number): PreferencePair | undefined => {
    const chosen = answers.get(chosenKey);
    const rejected = answers.get(rejectedKey);
    const chosenPrompt = chosen && prompts.get(chosen.promptHash);
    const rejectedPrompt = rejected && prompts.get(rejected.promptHash);
    if (!chosen || !rejected || !chosenPrompt || !rejectedPrompt) return undefined;
    const pair: PreferencePair = {
      prompt: chosenPrompt.messages,
      chosen: chosen.text,
      rejected: rejected.text,
      source,
      family: chosen.family,
      chosen_variant: variantLabel(chosen.variant),
      rejected_variant: variantLabel(rejected.variant),
      chosen_model: chosen.model,
      rejected_model: rejected.model,
      case_input: chosenPrompt.input,
      margin,
    };
    if (chosen.promptHash !== rejected.promptHash) pair.rejected_prompt = rejectedPrompt.messages;
    return pair;
  };
  for (const p of [...pairs].sort((a, b) => a.createdAt - b.createdAt)) {
    if (p.winner === 'tie') continue;
    const [win, lose] = p.winner === 'left' ? [p.left, p.right] : [p.right, p.left];
    const pair = make(win.answerKey, lose.answerKey, 'blind', 1);
    if (pair) out.push(pair);
  }
  const byCase = new Map<string, RatingRecord[]>();
  for (const r of latestRatings(ratings)) byCase.set(r.caseKey, [...(byCase.get(r.caseKey) ?? []), r]);
  for (const group of byCase.values()) {
    const sorted = [...group].sort((a, b) => b.score - a.score || a.answerKey.localeCompare(b.answerKey));
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        if (sorted[i].score === sorted[j].score) continue;
        const pair = make(sorted[i].answerKey, sorted[j].answerKey, 'ratings', sorted[i].score - sorted[j].score);
        if (pair) out.push(pair);
      }
    }
  }
  return out;
}
