/**
 * The optimizer's prompt: written for small local models — short, explicit,
 * one task, the output format spelled out with fixed markers — and filled with
 * as much rating evidence as the optimizer's context holds.
 */
import type { OllamaChatMessage } from '../prompt';

/** The ways a rewrite can improve a prompt; each suggestion names one. */
export const techniques = {
  clarify: 'Clarify the instruction',
  context: 'Add context',
  format: 'Impose a template or output format',
  steps: 'Ask for step-by-step reasoning',
  fewshot: 'Add few-shot examples from the best-rated answers',
  comments: 'Address the comments',
} as const;

export type Technique = keyof typeof techniques;

export function isTechnique(value: string): value is Technique {
  return Object.hasOwn(techniques, value);
}

/** A rated answer shown to the optimizer as evidence. */
export interface RatedExample {
  input: Record<string, unknown>;
  answer: string;
  score: number;
  comment?: string;
  tags?: string[];
  model: string;
  variant: string;
}

export interface OptimizerInput {
  /** The template body (frontmatter removed) of the prompt being improved. */
  body: string;
  /** Variable names the body uses; rewrites must keep each one. */
  variables: readonly string[];
  /** e.g. "summarize.concise". */
  promptName: string;
  /** Scores of the family's variants, for context. */
  scores: readonly { label: string; mean: number; n: number }[];
  /** Rated answers; the builder picks within the budget (lowest with comments first, then highest). */
  examples: readonly RatedExample[];
  /** How many rewrites to ask for (default 3). */
  count?: number;
  /** The optimizer's context window in tokens (default 4096). */
  contextTokens?: number;
}

/** The system prompt: how the simulator and tests recognise an optimizer request. */
export const optimizerSystemPrompt =
  'You improve prompt templates for language models. You read a template, how people rated the answers it produced, and write better versions. You follow the output format exactly.';

/** Markers of the output format (parsed by parseOptimizerOutput). */
export const markers = { critique: 'CRITIQUE:', rewrite: 'REWRITE', technique: 'TECHNIQUE:', summary: 'SUMMARY:', open: '<<<', close: '>>>' } as const;

/** Rough token count of text (≈ 4 characters a token in English), for budgeting only. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Longest answer text shown per example. */
const answerChars = 600;
/** Tokens kept free for the optimizer's answer. */
const outputReserve = 1500;

/** The messages and options of the optimizer request, and which examples made it in. */
export function buildOptimizerRequest(input: OptimizerInput): { messages: OllamaChatMessage[]; options: Record<string, unknown>; used: RatedExample[] } {
  const count = Math.max(1, Math.min(5, input.count ?? 3));
  const allowed: Technique[] = ['clarify', 'context', 'format', 'steps', ...(input.examples.some((e) => e.comment) ? (['comments'] as const) : [])];
  const variables = input.variables.length ? input.variables.map((v) => `{{${v}}}`).join(', ') : 'none';

  const head = [
    `PROMPT TEMPLATE "${input.promptName}" (Handlebars). Keep every variable exactly as written: ${variables}. Keep {{role ...}} lines.`,
    markers.open,
    input.body.trim(),
    markers.close,
    '',
  ];
  if (input.scores.length) {
    head.push('SCORES (mean rating 1-5, higher is better):', ...input.scores.map((s) => `- ${s.label}: ${s.mean.toFixed(1)} (${s.n} ratings)`), '');
  }
  const task = [
    `TASK: First write a short critique (2-4 sentences): what do the ratings and comments say is wrong? Then write ${count} rewritten templates. Each uses one technique from: ${allowed.join(', ')}.`,
    '',
    'OUTPUT FORMAT (exactly, nothing else):',
    `${markers.critique} <your critique>`,
    `${markers.rewrite} 1`,
    `${markers.technique} <one of: ${allowed.join(', ')}>`,
    `${markers.summary} <one line: what you changed>`,
    markers.open,
    '<the whole rewritten template>',
    markers.close,
    `${markers.rewrite} 2`,
    '...',
  ];

  // Evidence within the budget: low-rated answers with comments first (they say what is wrong), then the best.
  const budget = (input.contextTokens ?? 4096) - outputReserve - estimateTokens([optimizerSystemPrompt, ...head, ...task].join('\n'));
  const low = [...input.examples].filter((e) => e.score <= 3).sort((a, b) => Number(!!b.comment) - Number(!!a.comment) || a.score - b.score);
  const high = [...input.examples].filter((e) => e.score >= 4).sort((a, b) => b.score - a.score);
  const used: RatedExample[] = [];
  const sections = { low: [] as string[], high: [] as string[] };
  let spent = 0;
  for (const [kind, list] of [['low', low], ['high', high]] as const) {
    for (const example of list) {
      const block = exampleBlock(example, sections[kind].length + 1);
      const cost = estimateTokens(block);
      if (spent + cost > budget) continue;
      spent += cost;
      sections[kind].push(block);
      used.push(example);
    }
  }
  const evidence: string[] = [];
  if (sections.low.length) evidence.push('LOW-RATED ANSWERS (what to fix):', ...sections.low, '');
  if (sections.high.length) evidence.push('HIGH-RATED ANSWERS (what to keep):', ...sections.high, '');
  if (!evidence.length) evidence.push('No rated answers yet: improve the template on general principles.', '');

  return {
    messages: [
      { role: 'system', content: optimizerSystemPrompt },
      { role: 'user', content: [...head, ...evidence, ...task].join('\n') },
    ],
    options: { temperature: 0.4, num_ctx: input.contextTokens ?? 4096 },
    used,
  };
}

function exampleBlock(example: RatedExample, n: number): string {
  const inputText = Object.entries(example.input)
    .map(([key, value]) => `${key}=${clip(typeof value === 'string' ? value : JSON.stringify(value), 200)}`)
    .join('; ');
  const lines = [`[${n}] score ${example.score}/5 (${example.model})`, `input: ${inputText || '(defaults)'}`, `answer: """${clip(example.answer, answerChars)}"""`];
  if (example.comment) lines.push(`comment: ${clip(example.comment, 300)}`);
  if (example.tags?.length) lines.push(`tags: ${example.tags.join(', ')}`);
  return lines.join('\n');
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
