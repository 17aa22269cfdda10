/**
 * Scripted protocol traffic for the preview: a three-model run (two stream to the
 * end, one stream is cut), a re-run that keeps the previous answers visible, a
 * hostile answer and a 1 MB single-line answer; sweeps (small, with repeats, and
 * 10,000 cells) streamed as the host would, and a variant diff; ratings, scores,
 * a blind pair and an optimizer session in three stages.
 */
import type {
  AnswerError, AnswerMetrics, AnswerView, BlindPairView, CellConsistency, CellStatus, HostToWebview, RatingView, RunView, ScoresView, SuggestionView, SuggestionsView, SweepCaseView, SweepCellUpdate, SweepCellView,
  SweepParams, SweepProgress, SweepSummary, SweepView, VariantDiffView,
} from '../../src/core/protocol';
import { gridCellKey } from '../../src/core/protocol';

const localHost = 'http://127.0.0.1:11434';
const gpuHost = 'http://gpu-box.local:11434';

export const llamaText = `## Summary

The article argues that **local models** are now good enough for most day-to-day drafting, provided you *measure* them instead of trusting a demo.

- Privacy: prompts and documents never leave the machine.
- Cost: no per-token bill, so sweeps of \`variants × models\` are cheap.
- Speed: a warm 3B model answers in under a second on a laptop GPU.

| Model size | Tokens/s | Good for |
|:-----------|---------:|:---------|
| 3B         |       48 | drafts, tagging |
| 8B         |       22 | summaries |

> The author's caveat: small models still invent numbers, so check every figure.

See the [Ollama API docs](https://github.com/ollama/ollama/blob/main/docs/api.md) for the options used.`;

export const qwenThinking = `The user wants a summary of about 80 words. The article has three claims: privacy, cost, speed. It also has a caveat about hallucinated numbers. I should keep the caveat, since it's the point the author stresses most. Output as a short TL;DR and a numbered list.`;

export const qwenText = `**TL;DR** — run small models locally, but verify their numbers.

1. *Privacy*: nothing leaves your machine.
2. *Cost*: sweeps are free once the model is pulled.
3. *Speed*: warm models reply in well under a second.

\`\`\`json
{ "words": 78, "claims": 3, "caveats": 1 }
\`\`\``;

export const gemmaPartial = `The article discusses three reasons to run language models locally:

1. **Privacy** — documents stay on the device, which matters for legal and medical text.
2. **Cost** — there is no metered API, so you can afford to try many prompt variants.
3. **Lat`;

export const hostileText = [
  'Hostile answer check:',
  '',
  '<script>window.__pwned=1</script>',
  '',
  '<img src=x onerror="window.__pwned=1">',
  '',
  '[x](javascript:window.__pwned=1) and [click me](vscode://command/workbench.action.quit) and ![logo](https://example.com/logo.png)',
  '',
  '<a href="javascript:window.__pwned=1">raw anchor</a> <iframe src="javascript:window.__pwned=1"></iframe>',
].join('\n');

function answer(answerId: string, model: string, host: string): AnswerView {
  return { answerId, model, host, status: 'queued', text: '' };
}

export function firstRun(): RunView {
  return {
    runId: 'run-1',
    promptName: 'summarize',
    promptPath: '/work/examples/summarize.prompt',
    inputLabel: 'case 2: long article',
    input: { article: 'Local language models have become…', maxWords: 80 },
    messages: [
      { role: 'system', content: 'You are a precise technical editor. Summarize faithfully; never invent numbers.' },
      { role: 'user', content: 'Summarize the article below in at most 80 words.\n\nArticle:\nLocal language models have become…', images: 1 },
    ],
    options: { temperature: 0.2, num_predict: 512, num_ctx: 8192, seed: 42 },
    startedAt: Date.UTC(2025, 0, 15, 10, 30),
    answers: [answer('a1', 'llama3.2', localHost), answer('a2', 'qwen3:8b', localHost), answer('a3', 'gemma3:4b', gpuHost)],
  };
}

/** The same prompt run again: new answer ids, same models. */
export function secondRun(): RunView {
  const run = firstRun();
  return {
    ...run,
    runId: 'run-2',
    format: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
    answers: [answer('b1', 'llama3.2', localHost), answer('b2', 'qwen3:8b', localHost), answer('b3', 'gemma3:4b', gpuHost)],
  };
}

/** A finished copy of a run, as the host would send it in `previousRun`. */
export function finishedFirstRun(): RunView {
  const run = firstRun();
  run.answers = [
    { ...run.answers[0], status: 'done', text: llamaText, metrics: metrics.llama },
    { ...run.answers[1], status: 'done', text: qwenText, thinking: qwenThinking, metrics: metrics.qwen },
    { ...run.answers[2], status: 'failed', text: gemmaPartial, error: { kind: 'cut', message: 'connection reset after 212 tokens (no done:true from Ollama)' }, metrics: metrics.gemma },
  ];
  return run;
}

export const metrics: Readonly<Record<'llama' | 'qwen' | 'gemma', AnswerMetrics>> = {
  llama: { ttftMs: 412, tokensPerSecond: 48.3, promptTokens: 412, answerTokens: 186, loadMs: 1180, totalMs: 4260, doneReason: 'stop' },
  qwen: { ttftMs: 2310, tokensPerSecond: 21.7, promptTokens: 418, answerTokens: 512, loadMs: 3020, totalMs: 26400, doneReason: 'length' },
  gemma: { ttftMs: 655, promptTokens: 409, loadMs: 240, totalMs: 7110 },
};

export function hostileRun(): RunView {
  return {
    ...firstRun(),
    runId: 'run-hostile',
    promptName: 'hostile <b>name</b>',
    inputLabel: '<img src=x onerror="window.__pwned=1">',
    answers: [answer('h1', 'evil<script>window.__pwned=1</script>', localHost)],
  };
}

export function largeRun(): RunView {
  return { ...firstRun(), runId: 'run-large', promptName: 'large', answers: [answer('l1', 'llama3.2', localHost)] };
}

/** Splits text into chunks of a few words, as the host's coalescer would. */
export function splitIntoChunks(text: string, wordsPerChunk: number): string[] {
  const parts = text.split(/(?<=\s)/);
  const chunks: string[] = [];
  for (let i = 0; i < parts.length; i += wordsPerChunk) chunks.push(parts.slice(i, i + wordsPerChunk).join(''));
  return chunks;
}

export type Message = HostToWebview;

// ---------------------------------------------------------------- sweeps

const sweepCases: SweepCaseView[] = [
  { index: 0, label: 'case 1: Quarterly report', input: { article: 'Revenue rose 12% to $4.1M; churn fell to 3%…', maxWords: 40 } },
  { index: 1, label: 'case 2: Local models essay', input: { article: 'Local language models have become good enough…', maxWords: 40 } },
  { index: 2, label: 'case 3: Release notes v2.4 with a long title that has to wrap inside the case column', input: { article: 'v2.4 adds offline mode, fixes sync conflicts…', maxWords: 40 } },
];

const answers: Record<string, string[]> = {
  base: [
    '## Summary\n\nRevenue grew **12%** to $4.1M while churn dropped to 3%. The company credits the new onboarding flow and expects margins to improve next quarter.',
    'Local models are now good enough for everyday drafting:\n\n- **Privacy**: documents never leave the machine.\n- **Cost**: no per-token bill.\n- **Speed**: warm models answer in under a second.',
    'Version 2.4 adds an *offline mode*, fixes sync conflicts when two devices edit the same note, and speeds up search on large vaults by about 40%.',
  ],
  concise: [
    'Revenue +12% ($4.1M), churn down to 3%.',
    'Local models: private, free to run, fast enough.',
    'v2.4: offline mode, sync-conflict fix, faster search.',
  ],
};

function sweepCellId(variant: string, model: string, caseIndex: number, paramsIndex: number, repeat: number): string {
  return `${variant || '(base)'}|${model}|${caseIndex}|${paramsIndex}|${repeat}`;
}

function sweepCells(variants: string[], models: string[], cases: number, params: number, repeats: number): SweepCellView[] {
  const cells: SweepCellView[] = [];
  for (let c = 0; c < cases; c++) {
    for (const variant of variants) {
      for (const model of models) {
        for (let p = 0; p < params; p++) {
          for (let r = 0; r < repeats; r++) {
            cells.push({ cellId: sweepCellId(variant, model, c, p, r), variant, model, caseIndex: c, paramsIndex: p, repeat: r, status: 'queued', text: '' });
          }
        }
      }
    }
  }
  return cells;
}

/** 2 variants × 2 models × 3 cases, all queued. */
export function smallSweep(): SweepView {
  const variants = ['', 'concise'];
  const models = ['llama3.2', 'qwen3:8b'];
  return {
    sweepId: 'sweep-small', family: 'summarize', familyPath: 'examples/summarize.prompt', variants, models, cases: sweepCases, params: [{}], repeats: 1,
    cells: sweepCells(variants, models, 3, 1, 1), state: 'running', startedAt: Date.now(), summaries: [], consistency: [],
  };
}

/** How each cell of a scripted sweep ends. */
export interface CellPlan {
  cellId: string;
  end: 'done' | 'cached' | 'failed' | 'cancelled';
  text: string;
  metrics?: AnswerMetrics;
  error?: AnswerError;
}

function metricsFor(seed: number, words: number): AnswerMetrics {
  const tps = 20 + ((seed * 37) % 30) + 0.4;
  const ttft = 300 + ((seed * 53) % 900);
  const answerTokens = Math.round(words * 1.3);
  return { ttftMs: ttft, tokensPerSecond: tps, promptTokens: 180 + (seed % 40), answerTokens, totalMs: Math.round(ttft + (answerTokens / tps) * 1000), doneReason: 'stop' };
}

/** The small sweep's ending: a cached cell, a failure with its reason, a cut stream, a cancelled cell. */
export function smallSweepPlans(): CellPlan[] {
  return smallSweep().cells.map((cell, i): CellPlan => {
    const text = answers[cell.variant === '' ? 'base' : cell.variant][cell.caseIndex] + (cell.model === 'qwen3:8b' && cell.variant === '' ? ' Overall, a positive outlook.' : '');
    const metrics = metricsFor(i + 1, text.split(/\s+/).length);
    if (cell.variant === '' && cell.model === 'llama3.2' && cell.caseIndex === 0) return { cellId: cell.cellId, end: 'cached', text, metrics };
    if (cell.variant === 'concise' && cell.model === 'qwen3:8b' && cell.caseIndex === 1) {
      return { cellId: cell.cellId, end: 'failed', text: '', error: { kind: 'modelMissing', message: 'model "qwen3:8b" not found, try pulling it first' } };
    }
    if (cell.variant === '' && cell.model === 'qwen3:8b' && cell.caseIndex === 2) {
      return { cellId: cell.cellId, end: 'failed', text: text.slice(0, 60), error: { kind: 'cut', message: 'connection reset after 19 tokens (no done:true from Ollama)' }, metrics: { ttftMs: 700 } };
    }
    if (cell.variant === 'concise' && cell.model === 'qwen3:8b' && cell.caseIndex === 2) return { cellId: cell.cellId, end: 'cancelled', text: text.slice(0, 18) };
    return { cellId: cell.cellId, end: 'done', text, metrics };
  });
}

/**
 * The traffic of a sweep as the host's coalescer would send it: at most
 * `parallel` requests at a time, a few words per cell per message, progress,
 * summaries and (with repeats) consistency in each message. Cells planned as
 * cancelled stream part of their text and are cancelled at the end.
 */
export function sweepTraffic(sweep: SweepView, plans: CellPlan[], options: { parallel?: number; wordsPerStep?: number } = {}): HostToWebview[] {
  const parallel = options.parallel ?? 4;
  const wordsPerStep = options.wordsPerStep ?? 4;
  const cells = new Map(sweep.cells.map((c) => [c.cellId, { ...c }]));
  const pending = [...plans];
  const active: { plan: CellPlan; chunks: string[]; started: boolean }[] = [];
  const messages: HostToWebview[] = [];
  while (pending.length > 0 || active.some((a) => a.chunks.length > 0 || a.plan.end !== 'cancelled')) {
    const updates: SweepCellUpdate[] = [];
    while (active.length < parallel && pending.length > 0) {
      const plan = pending.shift() as CellPlan;
      if (plan.end === 'cached') {
        updates.push({ cellId: plan.cellId, status: 'cached', text: plan.text, metrics: plan.metrics, answerKey: `key-${plan.cellId}` });
        continue;
      }
      active.push({ plan, chunks: splitIntoChunks(plan.text, wordsPerStep), started: false });
    }
    for (const a of [...active]) {
      if (!a.started) {
        a.started = true;
        updates.push({ cellId: a.plan.cellId, status: 'loading' });
        continue;
      }
      const chunk = a.chunks.shift();
      if (chunk !== undefined) {
        updates.push({ cellId: a.plan.cellId, status: 'running', appendText: chunk });
        continue;
      }
      if (a.plan.end === 'cancelled') continue;
      updates.push({ cellId: a.plan.cellId, status: a.plan.end, error: a.plan.error, metrics: a.plan.metrics, answerKey: a.plan.end === 'done' ? `key-${a.plan.cellId}` : undefined });
      active.splice(active.indexOf(a), 1);
    }
    if (updates.length === 0) break;
    for (const u of updates) applyUpdate(cells, u);
    messages.push({ type: 'sweepCells', sweepId: sweep.sweepId, updates, progress: progressOf(cells), summaries: summariesOf(sweep, cells), consistency: sweep.repeats > 1 ? consistencyOf(cells) : undefined });
  }
  const cancelled = active.filter((a) => a.plan.end === 'cancelled');
  if (cancelled.length > 0) {
    const updates = cancelled.map((a): SweepCellUpdate => ({ cellId: a.plan.cellId, status: 'cancelled' }));
    for (const u of updates) applyUpdate(cells, u);
    messages.push({ type: 'sweepCells', sweepId: sweep.sweepId, updates, progress: progressOf(cells), summaries: summariesOf(sweep, cells) });
  }
  messages.push({ type: 'sweepFinished', sweepId: sweep.sweepId, state: cancelled.length > 0 ? 'cancelled' : 'finished', progress: progressOf(cells) });
  return messages;
}

function applyUpdate(cells: Map<string, SweepCellView>, u: SweepCellUpdate): void {
  const cell = cells.get(u.cellId);
  if (!cell) return;
  if (u.text !== undefined) cell.text = u.text;
  if (u.appendText) cell.text += u.appendText;
  if (u.status) cell.status = u.status;
  if (u.error) cell.error = u.error;
  if (u.metrics) cell.metrics = { ...cell.metrics, ...u.metrics };
}

function progressOf(cells: Map<string, SweepCellView>): SweepProgress {
  const count = (s: CellStatus): number => [...cells.values()].filter((c) => c.status === s).length;
  return { total: cells.size, done: count('done'), cached: count('cached'), failed: count('failed'), cancelled: count('cancelled') };
}

function mean(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0) / known.length;
}

function summarise(variant: string, model: string | undefined, paramsIndex: number | undefined, cells: SweepCellView[]): SweepSummary {
  const finished = cells.filter((c) => c.status === 'done' || c.status === 'cached');
  return {
    variant, model, paramsIndex, cells: cells.length, done: finished.length, failed: cells.filter((c) => c.status === 'failed').length,
    meanTotalMs: mean(finished.map((c) => c.metrics?.totalMs)), meanTtftMs: mean(finished.map((c) => c.metrics?.ttftMs)), meanTokensPerSecond: mean(finished.map((c) => c.metrics?.tokensPerSecond)),
  };
}

/** Summaries per column and per variant, as the host computes them. */
export function summariesOf(sweep: Pick<SweepView, 'variants' | 'models' | 'params'>, cells: Map<string, SweepCellView> | SweepCellView[]): SweepSummary[] {
  const all = Array.isArray(cells) ? cells : [...cells.values()];
  const out: SweepSummary[] = [];
  for (const variant of sweep.variants) {
    for (const model of sweep.models) {
      for (let p = 0; p < Math.max(1, sweep.params.length); p++) out.push(summarise(variant, model, p, all.filter((c) => c.variant === variant && c.model === model && c.paramsIndex === p)));
    }
    out.push(summarise(variant, undefined, undefined, all.filter((c) => c.variant === variant)));
  }
  return out;
}

/** Consistency of the repeats of each grid cell: distinct answers and mean pairwise word overlap. */
export function consistencyOf(cells: Map<string, SweepCellView> | SweepCellView[]): CellConsistency[] {
  const byKey = new Map<string, SweepCellView[]>();
  for (const cell of Array.isArray(cells) ? cells : cells.values()) {
    if (cell.status !== 'done' && cell.status !== 'cached') continue;
    const key = gridCellKey(cell);
    byKey.set(key, [...(byKey.get(key) ?? []), cell]);
  }
  const out: CellConsistency[] = [];
  for (const [key, group] of byKey) {
    if (group.length < 2) continue;
    const texts = group.map((c) => c.text.replace(/\s+/g, ' ').trim());
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = new Set(texts[i].split(' '));
        const b = new Set(texts[j].split(' '));
        const common = [...a].filter((w) => b.has(w)).length;
        sum += common / Math.max(1, new Set([...a, ...b]).size);
        pairs++;
      }
    }
    out.push({ key, answers: group.length, distinct: new Set(texts).size, similarity: pairs === 0 ? 1 : sum / pairs });
  }
  return out;
}

const sentiment: Record<number, string[]> = {
  0: ['**Positive.** The reviewer praises the battery life and the screen.', '**Positive.** Battery life and screen are praised.', '**Positive.** The reviewer praises the battery life and the screen.'],
  1: ['Negative', 'Negative', 'Negative'],
};

/** 2 variants × 2 models × 2 cases × 2 temperatures × 3 repeats: case 2 answers the same every time, case 1 varies. */
export function repeatSweep(): { sweep: SweepView; plans: CellPlan[] } {
  const variants = ['', 'strict'];
  const models = ['llama3.2', 'qwen3:8b'];
  const params: SweepParams[] = [{ temperature: 0.2, seed: 7 }, { temperature: 0.9 }];
  const cases: SweepCaseView[] = [
    { index: 0, label: 'case 1: Laptop review', input: { review: 'Battery lasts all day, the screen is gorgeous…' } },
    { index: 1, label: 'case 2: Broken blender', input: { review: 'It stopped working after two days.' } },
  ];
  const sweep: SweepView = {
    sweepId: 'sweep-repeats', family: 'classify', familyPath: 'examples/classify.prompt', variants, models, cases, params, repeats: 3,
    cells: sweepCells(variants, models, 2, 2, 3), state: 'running', startedAt: Date.now(), summaries: [], consistency: [],
  };
  const plans = sweep.cells.map((cell, i): CellPlan => {
    const text = cell.caseIndex === 1 ? 'Negative' : sentiment[0][(cell.repeat + cell.paramsIndex + (cell.model === 'qwen3:8b' ? 1 : 0)) % 3];
    return { cellId: cell.cellId, end: 'done', text, metrics: metricsFor(i + 3, text.split(/\s+/).length) };
  });
  return { sweep, plans };
}

const largeVariants = ['', 'concise', 'formal', 'bullets'];
const largeModels = ['llama3.2', 'qwen3:8b', 'gemma3:4b', 'mistral-small:24b', 'phi4-mini'];

/**
 * 500 cases × 4 variants × 5 models = 10,000 cells: finished (some cached, some
 * failed) except 16 in view when grouped by variant (4 cases × the base
 * prompt on 4 models), still running.
 */
export function largeSweep(): SweepView {
  const cases: SweepCaseView[] = Array.from({ length: 500 }, (_, i) => ({ index: i, label: `case ${i + 1}: support ticket #${4100 + i}`, input: { ticket: `Ticket ${4100 + i}: the app crashes when…`, priority: i % 3 } }));
  const cells = sweepCells(largeVariants, largeModels, 500, 1, 1);
  let running = 0;
  cells.forEach((cell, i) => {
    if (cell.caseIndex < 4 && cell.variant === '' && cell.model !== 'phi4-mini' && running < 16) {
      cell.status = 'running';
      cell.text = 'Thanks for the report. ';
      running++;
      return;
    }
    const text = `Ticket ${4100 + cell.caseIndex}: ${cell.variant === 'bullets' ? '- crash on start\n- reproducible\n- fix in 2.4.1' : 'the crash comes from a null settings file; deleting it and restarting fixes it. A patch ships in 2.4.1.'} (${cell.model})`;
    cell.text = text;
    cell.metrics = metricsFor(i, 24);
    cell.answerKey = `key-${cell.cellId}`;
    if (i % 97 === 0) {
      cell.status = 'failed';
      cell.error = { kind: 'timeout', message: 'no token for 300 s' };
    } else {
      cell.status = i % 5 === 0 ? 'cached' : 'done';
    }
  });
  const sweep: SweepView = {
    sweepId: 'sweep-large', family: 'triage', familyPath: 'examples/triage.prompt', variants: largeVariants, models: largeModels, cases, params: [{}], repeats: 1,
    cells, state: 'running', startedAt: Date.now(), summaries: [], consistency: [],
  };
  sweep.summaries = summariesOf(sweep, cells);
  return sweep;
}

/** The base and concise variants of "summarize", word by word. */
export function variantDiff(): VariantDiffView {
  return {
    family: 'summarize',
    left: { variant: '', label: 'base' },
    right: { variant: 'concise', label: 'concise' },
    basis: 'rendered with case 2: Local models essay',
    messages: [
      {
        role: 'system',
        parts: [
          { value: 'You are a precise technical editor. ' },
          { value: 'Summarize faithfully; never invent numbers.', removed: true },
          { value: 'Answer in one line, at most 12 words. Never invent numbers.', added: true },
        ],
      },
      {
        role: 'user',
        parts: [
          { value: 'Summarize the article below in ' },
          { value: 'at most 80 words', removed: true },
          { value: 'one sentence', added: true },
          { value: '.\n\nArticle:\nLocal language models have become good enough for most day-to-day drafting, provided you measure them instead of trusting a demo.\n\n' },
          { value: '<b>Keep the caveat.</b>', added: true },
        ],
      },
    ],
  };
}

/** The sweep as the host holds it after `messages` (what `state` replays after a reload). */
export function applyTraffic(sweep: SweepView, messages: HostToWebview[]): SweepView {
  const cells = new Map(sweep.cells.map((c) => [c.cellId, { ...c }]));
  let state = sweep.state;
  for (const m of messages) {
    if (m.type === 'sweepCells' && m.sweepId === sweep.sweepId) for (const u of m.updates) applyUpdate(cells, u);
    if (m.type === 'sweepFinished' && m.sweepId === sweep.sweepId) state = m.state;
  }
  const all = [...cells.values()];
  return { ...sweep, cells: all, state, finishedAt: state === 'running' ? undefined : sweep.startedAt + 83_000, summaries: summariesOf(sweep, all), consistency: sweep.repeats > 1 ? consistencyOf(all) : [] };
}

// ---------------------------------------------------------------- ratings and the feedback loop

/** The finished first run with stored answers (the failed one stored nothing), as `state` replays it. */
export function ratedRun(): RunView {
  const run = finishedFirstRun();
  run.answers[0].answerKey = 'ak-llama';
  run.answers[1].answerKey = 'ak-qwen';
  return run;
}

/** llama3.2 rated 4 with a comment and tags; qwen3:8b not rated yet. */
export function runRatings(): RatingView[] {
  return [{ answerKey: 'ak-llama', score: 4, comment: 'Good table, but the caveat about invented numbers is buried at the end.', tags: ['caveat buried', 'good table'], updatedAt: Date.UTC(2025, 0, 15, 10, 34) }];
}

/** Ratings of the small sweep's finished cells (answer keys `key-<cellId>`); one with a comment. */
export function sweepRatings(): RatingView[] {
  const at = Date.UTC(2025, 0, 15, 11, 0);
  const r = (cellId: string, score: number, comment?: string): RatingView => ({ answerKey: `key-${cellId}`, score, ...(comment ? { comment } : {}), updatedAt: at });
  return [
    r('(base)|llama3.2|0|0|0', 4),
    r('(base)|llama3.2|1|0|0', 5, 'Exactly the three points, nothing invented.'),
    r('(base)|llama3.2|2|0|0', 3),
    r('concise|llama3.2|0|0|0', 2, 'Too terse: loses the reason for the growth.'),
    r('concise|llama3.2|1|0|0', 4),
    r('(base)|qwen3:8b|0|0|0', 3),
  ];
}

/** Summaries with the mean score, as the host sends them once ratings exist. */
export function ratedSummaries(): SweepSummary[] {
  return [
    { variant: '', model: 'llama3.2', paramsIndex: 0, cells: 3, done: 3, failed: 0, meanTotalMs: 1950, meanTtftMs: 565, meanTokensPerSecond: 25.4, meanScore: 4, ratings: 3 },
    { variant: 'concise', model: 'llama3.2', paramsIndex: 0, cells: 3, done: 3, failed: 0, meanTotalMs: 908, meanTtftMs: 671, meanTokensPerSecond: 39.4, meanScore: 3, ratings: 2 },
    { variant: '', model: 'qwen3:8b', paramsIndex: 0, cells: 3, done: 2, failed: 1, meanTotalMs: 1810, meanTtftMs: 523, meanTokensPerSecond: 31.8, meanScore: 3, ratings: 1 },
    { variant: '', cells: 6, done: 5, failed: 1, meanTotalMs: 1880, meanTtftMs: 544, meanTokensPerSecond: 28.6, meanScore: 3.75, ratings: 4 },
    { variant: 'concise', cells: 6, done: 4, failed: 1, meanTotalMs: 856, meanTtftMs: 631, meanTokensPerSecond: 41.6, meanScore: 3, ratings: 2 },
  ];
}

/**
 * Three variants: concise-2 (a rewrite accepted from a suggestion) ahead; base and
 * concise cannot be told apart. Blind strengths and win rates (one pair never
 * compared), the change of concise-2 against concise, and one regression.
 */
export function scoresView(): ScoresView {
  return {
    family: 'summarize',
    verdict: 'concise-2 scores highest (4.1 ± 0.3). base and concise cannot be told apart yet: their intervals overlap.',
    pairs: 24,
    variants: [
      { variant: 'concise-2', n: 18, mean: 4.11, halfWidth: 0.31, shareHigh: 0.83, rank: 1 },
      { variant: 'concise', n: 18, mean: 3.33, halfWidth: 0.42, shareHigh: 0.44, rank: 2, tiedWith: [''] },
      { variant: '', n: 16, mean: 3.06, halfWidth: 0.47, shareHigh: 0.38, rank: 3, tiedWith: ['concise'] },
      { variant: 'concise-2', model: 'llama3.2', n: 9, mean: 4.22, halfWidth: 0.41, shareHigh: 0.89 },
      { variant: 'concise-2', model: 'qwen3:8b', n: 9, mean: 4.0, halfWidth: 0.5, shareHigh: 0.78 },
      { variant: 'concise', model: 'llama3.2', n: 9, mean: 3.44, halfWidth: 0.62, shareHigh: 0.44 },
      { variant: 'concise', model: 'qwen3:8b', n: 9, mean: 3.22, halfWidth: 0.66, shareHigh: 0.44 },
      { variant: '', model: 'llama3.2', n: 9, mean: 3.11, halfWidth: 0.7, shareHigh: 0.33 },
      { variant: '', model: 'qwen3:8b', n: 7, mean: 3.0, halfWidth: 0.8, shareHigh: 0.43 },
    ],
    strengths: [
      { player: 'concise-2', logStrength: 0.82, low: 0.21, high: 1.43, comparisons: 16 },
      { player: 'concise', logStrength: -0.19, low: -0.78, high: 0.4, comparisons: 18 },
      { player: '', logStrength: -0.63, low: -1.31, high: 0.05, comparisons: 14 },
    ],
    winRate: { players: ['concise-2', 'concise', ''], rates: [[null, 0.72, 0.81], [0.28, null, null], [0.19, null, null]] },
    change: { parent: 'concise', child: 'concise-2', difference: 0.78, halfWidth: 0.5, distinguishable: true, nParent: 18, nChild: 18 },
    regressions: [{ caseLabel: 'case 3: Release notes v2.4', model: 'qwen3:8b', parentScore: 5, childScore: 3 }],
  };
}

/** A blind pair: two answers to case 2, no names. */
export function blindPair(pairId = 'pair-7', judged = 3, remaining = 12): BlindPairView {
  return {
    pairId, family: 'summarize', caseLabel: 'case 2: Local models essay', input: { article: 'Local language models have become good enough for most day-to-day drafting…', maxWords: 80 },
    left: llamaText, right: qwenText, judged, remaining,
  };
}

const clarifyDiff: SuggestionView['diff'] = [
  { value: 'Summarize the article below in ' },
  { value: 'at most {{maxWords}} words', removed: true },
  { value: 'three bullet points, at most {{maxWords}} words in all. Lead with the decision or finding; keep every number exactly as written', added: true },
  { value: '.\n\nArticle:\n{{article}}' },
];

const fewShotDiff: SuggestionView['diff'] = [
  { value: 'Summarize the article below in at most {{maxWords}} words.\n\n' },
  { value: 'Example of a good summary:\n- Revenue +12% to $4.1M; churn down to 3%.\n- Credit: the new onboarding flow.\n\n', added: true },
  { value: 'Article:\n{{article}}' },
];

const formatDiff: SuggestionView['diff'] = [
  { value: 'Summarize the article below in at most {{maxWords}} words' },
  { value: '.', removed: true },
  { value: ' as JSON: {"summary": string, "caveats": string[]}.', added: true },
  { value: '\n\nArticle:\n{{article}}' },
];

const stepwiseDiff: SuggestionView['diff'] = [
  { value: 'Summarize the article below ' },
  { value: 'in at most {{maxWords}} words', removed: true },
  { value: 'step by step: first list its claims, then', added: true },
  { value: '.\n\nArticle:\n{{article}}' },
];

const critique = `The low-rated answers **bury the decision**: two comments say the caveat about invented numbers comes last, and the concise variant loses *why* revenue grew.

- The instruction never says what to lead with.
- Nothing asks to keep figures exactly as written (one answer rounded 12% to "about 10%").
- The best-rated answers use three short bullets.`;

/** The optimizer's session in three stages: the critique streaming; four checked cards; one accepted. */
export function suggestionStages(): [SuggestionsView, SuggestionsView, SuggestionsView] {
  const base: SuggestionsView = { sessionId: 'sugg-1', family: 'summarize', parentVariant: '', parentLabel: 'summarize.prompt', optimizerModel: 'qwen3:8b', state: 'running', evidence: 18, items: [] };
  const streaming: SuggestionsView = { ...base, critique: critique.slice(0, 150) };
  const items: SuggestionView[] = [
    { id: 's1', technique: 'clarify', techniqueLabel: 'Clarify the instruction', summary: 'Say what to lead with and ask for figures exactly as written.', status: 'ok', notes: [], diff: clarifyDiff },
    { id: 's2', technique: 'fewshot', techniqueLabel: 'Add few-shot examples', summary: 'One of your best-rated answers as an example of the shape wanted.', status: 'ok', notes: [], diff: fewShotDiff },
    { id: 's3', technique: 'format', techniqueLabel: 'Impose a template', summary: 'Structured output with the caveats in their own field.', status: 'repaired', notes: ['The rewrite renamed {{article}} to {{text}}: renamed back.'], diff: formatDiff },
    { id: 's4', technique: 'stepwise', techniqueLabel: 'Ask for step-by-step reasoning', summary: 'List the claims first, then summarize.', status: 'rejected', notes: ['Drops the variable {{maxWords}}: the word limit would be lost.'], diff: stepwiseDiff },
  ];
  const checked: SuggestionsView = { ...base, state: 'done', critique, items };
  const accepted: SuggestionsView = { ...checked, items: items.map((i) => (i.id === 's1' ? { ...i, status: 'accepted', acceptedAs: 'clarify' } : i.id === 's2' ? { ...i, status: 'discarded' } : i)) };
  return [streaming, checked, accepted];
}
