import type { SimModel } from './config';
import { valueForSchema } from './jsonSchema';
import { isOptimizerRequest, optimizerAnswer } from './optimizer';
import type { Rng } from './random';
import { createRng } from './random';

/**
 * What the simulated model answers. Every answer is a pure function of
 * (model, messages, seed, temperature, format, think): the same request gives
 * the same text, another model or prompt gives another text. `num_predict` and
 * `stop` are applied later by the server, so a capped answer is a prefix of the
 * uncapped one.
 */

export interface AnswerMessage {
  role: string;
  content: string;
}

export interface AnswerRequest {
  endpoint: 'chat' | 'generate';
  model: SimModel;
  /** For `/api/generate`: the system prompt (if any) and the prompt as a user message. */
  messages: readonly AnswerMessage[];
  options: Readonly<Record<string, unknown>>;
  /** `"json"`, a JSON schema object, or undefined. */
  format: unknown;
  /** Whether the model should produce `thinking` before its answer. */
  think: boolean;
}

export interface Answer {
  /** Empty unless the request asked a thinking model to think. */
  thinking: string;
  content: string;
}

/** One way of answering. The first generator whose `accepts` is true answers. */
export interface AnswerGenerator {
  readonly name: string;
  accepts(req: AnswerRequest): boolean;
  generate(req: AnswerRequest, rng: Rng): Answer;
}

/** The request fields that make an answer what it is (everything else only cuts it). */
export function answerSeed(req: AnswerRequest): string {
  return JSON.stringify([
    req.model.name,
    req.messages.map((m) => [m.role, m.content]),
    req.options.seed ?? null,
    req.options.temperature ?? null,
    req.format ?? null,
    req.think,
  ]);
}

/** Ollama's default temperature, used when a request sets none. */
const defaultTemperature = 0.8;

/**
 * Which of a prompt's few likely answers the `draw`-th identical request gets.
 * Like a real model without a fixed seed, a request at temperature > 0 samples
 * anew: the first request always gets answer 0 (so single requests stay
 * reproducible), later ones get one of 4 answers, more often a different one
 * the hotter the temperature. A seed or temperature 0 pins the answer.
 */
export function sampledVariant(req: AnswerRequest, draw: number): number {
  const temperature = typeof req.options.temperature === 'number' ? req.options.temperature : defaultTemperature;
  if (draw <= 0 || req.options.seed !== undefined || temperature <= 0) return 0;
  const rng = createRng(`${answerSeed(req)}#draw${draw}`);
  return rng.next() < Math.min(0.9, temperature * 0.6) ? 1 + Math.floor(rng.next() * 3) : 0;
}

/** The answer for `req` (the `draw`-th identical request), from the generator `chooseAnswerGenerator` picks. */
export function generateAnswer(req: AnswerRequest, draw = 0): Answer {
  const variant = sampledVariant(req, draw);
  return chooseAnswerGenerator(req).generate(req, createRng(variant === 0 ? answerSeed(req) : `${answerSeed(req)}~${variant}`));
}

const schemaGenerator: AnswerGenerator = {
  name: 'json-schema',
  accepts: (req) => typeof req.format === 'object' && req.format !== null,
  generate(req, rng) {
    const words = contentWords(lastUserText(req));
    return {
      thinking: req.think ? thinkingText(req, rng, words) : '',
      content: JSON.stringify(valueForSchema(req.format, { rng, words })),
    };
  },
};

const jsonModeGenerator: AnswerGenerator = {
  name: 'json',
  accepts: (req) => req.format === 'json',
  generate(req, rng) {
    const words = contentWords(lastUserText(req));
    return {
      thinking: req.think ? thinkingText(req, rng, words) : '',
      content: JSON.stringify(genericJsonObject(rng, words)),
    };
  },
};

const optimizerGenerator: AnswerGenerator = {
  name: 'optimizer',
  accepts: isOptimizerRequest,
  generate: optimizerAnswer,
};

const proseGenerator: AnswerGenerator = {
  name: 'prose',
  accepts: () => true,
  generate(req, rng) {
    const words = contentWords(lastUserText(req));
    return {
      thinking: req.think ? thinkingText(req, rng, words) : '',
      content: proseAnswer(req, rng, words),
    };
  },
};

/**
 * Generators in priority order: optimizer requests (critique + rewritten
 * prompts, recognised from their system prompt) first; `chooseAnswerGenerator`
 * is the single place that decides.
 */
export const answerGenerators: readonly AnswerGenerator[] = [optimizerGenerator, schemaGenerator, jsonModeGenerator, proseGenerator];

/** Picks the generator that answers `req`: the hook for special request kinds. */
export function chooseAnswerGenerator(req: AnswerRequest): AnswerGenerator {
  return answerGenerators.find((g) => g.accepts(req)) ?? proseGenerator;
}

// ---------------------------------------------------------------------------
// Word bank and sentence shapes

const nouns = [
  'approach', 'context', 'detail', 'example', 'pattern', 'result', 'question', 'structure', 'signal',
  'trade-off', 'baseline', 'constraint', 'draft', 'outline', 'summary', 'reader', 'goal', 'step', 'method',
  'source', 'change', 'metric', 'audience', 'tone', 'format', 'section', 'idea', 'risk', 'benefit',
  'assumption', 'version', 'workflow', 'priority', 'decision', 'claim', 'point', 'theme', 'requirement',
];
const pluralNouns = [
  'readers', 'teams', 'examples', 'details', 'users', 'writers', 'reviewers', 'projects', 'sections',
  'results', 'people', 'models', 'drafts', 'steps', 'ideas', 'sources',
];
const verbs = [
  'clarify', 'shape', 'support', 'improve', 'simplify', 'highlight', 'organize', 'explain', 'compare',
  'balance', 'refine', 'capture', 'frame', 'reduce', 'test', 'review', 'connect', 'outline', 'measure', 'guide',
];
const adjectives = [
  'clear', 'concise', 'practical', 'reliable', 'focused', 'consistent', 'useful', 'specific', 'simple',
  'robust', 'careful', 'direct', 'balanced', 'readable', 'flexible', 'precise', 'helpful', 'solid',
  'thoughtful', 'measurable',
];
const adverbs = [
  'carefully', 'early', 'consistently', 'explicitly', 'gradually', 'quickly', 'deliberately', 'clearly',
  'briefly', 'systematically',
];
const connectors = [
  'In practice', 'As a result', 'For example', 'On the other hand', 'In most cases', 'Importantly',
  'That said', 'Overall', 'At the same time', 'Even so',
];

const stopWords = new Set(
  ('a about above after again against all also am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers him his how i if in ' +
    'into is it its itself just me more most my no nor not now of off on once only or other our ours out over own please same she ' +
    'should so some such than that the their them then there these they this those through to too under until up very was we were ' +
    'what when where which while who whom why will with would you your yours write tell give make using use following below text ' +
    'answer question input output respond response return based given like want need sure ' +
    // Instruction verbs and size words say what to do, not what the text is about.
    'summarize summarise explain describe list provide create generate extract rewrite translate compare classify identify ' +
    'suggest show find help think know keep turn three four five seven eight nine many every small large good best short ' +
    'brief long little much something anything thing things ways')
    .split(' '),
);

/** Distinct content words of `text`, in order of first appearance. */
export function contentWords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}][\p{L}\p{N}'-]*/gu)) {
    const w = m[0].replace(/'s$/, '').replace(/[-']+$/, '');
    if (w.length < 4 || stopWords.has(w) || seen.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
  return out;
}

function lastUserText(req: AnswerRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    if (req.messages[i].role === 'user') return req.messages[i].content;
  }
  return req.messages.at(-1)?.content ?? '';
}

function third(verb: string): string {
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  if (/(s|sh|ch|x|z)$/.test(verb)) return `${verb}es`;
  return `${verb}s`;
}

/** The verb form that agrees with `subject` ("benefits improve", "testing improves"). */
function agree(subject: string, verb: string): string {
  return /[^s]s$/.test(subject) || / and /.test(subject) ? verb : third(verb);
}

function gerund(verb: string): string {
  if (/[^e]e$/.test(verb)) return `${verb.slice(0, -1)}ing`;
  return `${verb}ing`;
}

function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** How one model tends to write: fixed per model name, so models differ visibly. */
interface ModelStyle {
  opener: number;
  closer: number;
  bullet: '-' | '*' | '1.';
  verbosity: number;
  listChance: number;
  headingChance: number;
  boldChance: number;
}

function styleFor(model: SimModel): ModelStyle {
  const rng = createRng(`style:${model.name}`);
  return {
    opener: rng.int(-1, openers.length - 1),
    closer: rng.int(-1, closers.length - 1),
    bullet: rng.pick(['-', '*', '1.'] as const),
    verbosity: 0.7 + rng.next() * 0.7,
    listChance: 0.25 + rng.next() * 0.35,
    headingChance: rng.next() * 0.3,
    boldChance: rng.next() * 0.5,
  };
}

interface Slots {
  topic: () => string;
  noun: () => string;
}

const openers: ReadonlyArray<(s: Slots, rng: Rng) => string> = [
  (s, r) => `Here's ${withArticle(r.pick(adjectives))} overview of ${s.topic()}.`,
  (s) => `Sure! Let's look at ${s.topic()}.`,
  (s) => `Great question — ${s.topic()} is mostly about the ${s.noun()}.`,
  (s) => `Certainly. Here is what matters about ${s.topic()}.`,
  (s, r) => {
    const t = s.topic();
    return `${cap(t)} ${agree(t, 'come')} down to a few ${r.pick(adjectives)} ideas.`;
  },
];

const closers: ReadonlyArray<(s: Slots, rng: Rng) => string> = [
  (s, r) => {
    const t = s.topic();
    return `In short, ${t} ${agree(t, r.pick(verbs))} the ${s.noun()}.`;
  },
  (s) => `Let me know if you'd like more detail on ${s.topic()}.`,
  () => 'Hope this helps!',
  (s, r) => `Overall, keep the ${s.noun()} ${r.pick(adjectives)} and the rest follows.`,
];

const sentenceShapes: ReadonlyArray<(s: Slots, r: Rng) => string> = [
  (s, r) => {
    const t = s.topic();
    return `${cap(t)} ${agree(t, r.pick(verbs))} ${withArticle(r.pick(adjectives))} ${s.noun()} when you ${r.pick(verbs)} the ${s.noun()} ${r.pick(adverbs)}.`;
  },
  (s, r) => {
    const t = s.topic();
    return `The key point is that ${t} ${agree(t, r.pick(verbs))} the ${s.noun()} and ${agree(t, r.pick(verbs))} the ${s.noun()}.`;
  },
  (s, r) => `${r.pick(connectors)}, ${withArticle(r.pick(adjectives))} ${s.noun()} helps you ${r.pick(verbs)} ${s.topic()} without losing the ${s.noun()}.`,
  (s, r) => `A common mistake is to ${r.pick(verbs)} the ${s.noun()} before you ${r.pick(verbs)} ${s.topic()}.`,
  (s, r) => `Think of ${s.topic()} as ${withArticle(r.pick(adjectives))} ${s.noun()} that ${third(r.pick(verbs))} the ${s.noun()}.`,
  (s, r) => `If the ${s.noun()} matters most, ${r.pick(verbs)} ${s.topic()} ${r.pick(adverbs)} and keep the ${s.noun()} ${r.pick(adjectives)}.`,
  (s, r) => `Most ${r.pick(pluralNouns)} ${r.pick(verbs)} ${s.topic()} ${r.pick(adverbs)}, which keeps the ${s.noun()} ${r.pick(adjectives)}.`,
  (s, r) => `${r.pick(connectors)}, ${s.topic()} and ${s.topic()} ${r.pick(verbs)} each other's ${r.pick(pluralNouns)}.`,
  (s, r) => `Start with the ${s.noun()}, then ${r.pick(verbs)} ${s.topic()} so the ${s.noun()} stays ${r.pick(adjectives)}.`,
  (s, r) => `This makes ${s.topic()} more ${r.pick(adjectives)} for the ${r.pick(pluralNouns)} you care about.`,
];

const bulletShapes: ReadonlyArray<(s: Slots, r: Rng, bold: boolean) => string> = [
  (s, r, bold) => `${bold ? `**${cap(s.topic())}**` : cap(s.topic())}: ${r.pick(verbs)} the ${s.noun()} ${r.pick(adverbs)}.`,
  (s, r) => `${cap(gerund(r.pick(verbs)))} the ${s.noun()} of ${s.topic()}.`,
  (s, r, bold) => `Keep the ${s.noun()} ${bold ? `**${r.pick(adjectives)}**` : r.pick(adjectives)} and ${r.pick(adjectives)}.`,
  (s, r) => `${cap(r.pick(verbs))} ${s.topic()} against the ${s.noun()}.`,
];

function slotsFor(rng: Rng, words: readonly string[]): Slots {
  return {
    // Echo the user's own words most of the time, like a model staying on topic.
    topic: () => (words.length > 0 && rng.chance(0.75) ? rng.pick(words.slice(0, 8)) : `the ${rng.pick(nouns)}`),
    noun: () => rng.pick(nouns),
  };
}

function proseAnswer(req: AnswerRequest, rng: Rng, words: readonly string[]): string {
  const text = lastUserText(req).toLowerCase();
  const style = styleFor(req.model);
  const slots = slotsFor(rng, words);

  if (/\b(one|single) word\b/.test(text)) return cap(words[0] ?? rng.pick(nouns));
  if (/\b(one|single|a) sentence\b/.test(text)) return rng.pick(sentenceShapes)(slots, rng);
  if (/\bjson\b/.test(text)) {
    return `\`\`\`json\n${JSON.stringify(genericJsonObject(rng, words), null, 2)}\n\`\`\``;
  }

  let verbosity = style.verbosity;
  if (/\b(short|brief|briefly|concise|tl;dr|summari[sz]e)\b/.test(text)) verbosity *= 0.5;
  if (/\b(detail|detailed|elaborate|in depth|thorough)\b/.test(text)) verbosity *= 1.6;
  const targetWords = Math.round((35 + rng.next() * 110) * verbosity);
  const wantList = /\b(list|bullet|bullets|steps|points)\b/.test(text) || rng.chance(style.listChance);

  const blocks: string[] = [];
  let wordCount = 0;
  const add = (block: string): void => {
    blocks.push(block);
    wordCount += block.split(/\s+/).length;
  };
  const bold = (sentence: string): string =>
    rng.chance(style.boldChance) ? sentence.replace(/\b([a-z]{5,})\b/, '**$1**') : sentence;

  if (style.opener >= 0) add(openers[style.opener](slots, rng));
  if (rng.chance(style.headingChance)) add(`### ${cap(slots.topic())} at a glance`);
  let listDone = !wantList;
  do {
    const count = rng.int(2, 4);
    add(Array.from({ length: count }, () => bold(rng.pick(sentenceShapes)(slots, rng))).join(' '));
    if (!listDone) {
      const n = rng.int(3, 4);
      add(
        Array.from({ length: n }, (_, i) => {
          const marker = style.bullet === '1.' ? `${i + 1}.` : style.bullet;
          return `${marker} ${rng.pick(bulletShapes)(slots, rng, rng.chance(style.boldChance + 0.2))}`;
        }).join('\n'),
      );
      listDone = true;
    }
  } while (wordCount < targetWords);
  if (style.closer >= 0 && rng.chance(0.7)) add(closers[style.closer](slots, rng));
  return blocks.join('\n\n');
}

function thinkingText(req: AnswerRequest, rng: Rng, words: readonly string[]): string {
  const slots = slotsFor(rng, words);
  const about = words.length > 0 ? words.slice(0, 3).join(', ') : `the ${rng.pick(nouns)}`;
  const parts = [
    `Okay, the user is asking about ${about}.`,
    `I should ${rng.pick(verbs)} the ${slots.noun()} first and keep the answer ${rng.pick(adjectives)}.`,
    `Let me think about ${slots.topic()}: the ${slots.noun()} matters, and so does the ${slots.noun()}.`,
  ];
  if (typeof req.format === 'object' || req.format === 'json') parts.push('The answer has to be valid JSON, so I will fill every required field.');
  if (rng.chance(0.6)) parts.push(`Maybe I should also ${rng.pick(verbs)} ${slots.topic()} ${rng.pick(adverbs)}.`);
  parts.push(`Alright, I'll ${rng.pick(verbs)} it ${rng.pick(adverbs)}.`);
  return parts.join(' ');
}

function genericJsonObject(rng: Rng, words: readonly string[]): Record<string, unknown> {
  const slots = slotsFor(rng, words);
  return {
    answer: rng.pick(sentenceShapes)(slots, rng),
    key_points: Array.from({ length: rng.int(2, 4) }, () => `${cap(rng.pick(verbs))} the ${slots.noun()} of ${slots.topic()}`),
    confidence: Math.round((0.55 + rng.next() * 0.4) * 100) / 100,
  };
}
