/**
 * Scripted protocol traffic for the preview: a three-model run (two stream to the
 * end, one stream is cut), a re-run that keeps the previous answers visible, a
 * hostile answer and a 1 MB single-line answer.
 */
import type { AnswerMetrics, AnswerView, HostToWebview, RunView } from '../../src/core/protocol';

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
