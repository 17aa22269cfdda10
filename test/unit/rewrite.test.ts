import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ollama } from 'ollama';
import { streamChat } from '../../src/core/ollamaClient';
import { folderPartialResolver, renderPrompt } from '../../src/core/prompt';
import { checkRewrite, splitPrompt, usedVariables } from '../../src/core/rewrite/check';
import { escapeHandlebars, fewShotBody } from '../../src/core/rewrite/fewShot';
import type { RatedExample } from '../../src/core/rewrite/metaPrompt';
import { buildOptimizerRequest, estimateTokens, optimizerSystemPrompt } from '../../src/core/rewrite/metaPrompt';
import { parseOptimizerOutput } from '../../src/core/rewrite/parse';
import { startSimulator } from '../../tools/simulator/server';
import type { RunningSimulator } from '../../tools/simulator/server';

const examples = path.resolve(__dirname, '../../examples');
const summarize = readFileSync(path.join(examples, 'summarize.prompt'), 'utf8');
const partials = folderPartialResolver(examples);

const example = (score: number, answer: string, comment?: string): RatedExample => ({ input: { article: `An article about ${answer.slice(0, 10)}` }, answer, score, comment, model: 'llama3.2', variant: '' });

describe('the optimizer prompt', () => {
  it('names the variables to keep, the format, and puts commented low ratings first', () => {
    const { body } = splitPrompt(summarize);
    const request = buildOptimizerRequest({
      body,
      variables: usedVariables(summarize),
      promptName: 'summarize',
      scores: [{ label: 'base', mean: 3.2, n: 8 }],
      examples: [example(5, 'Great answer'), example(2, 'Too long answer', 'too long, buries the decision'), example(1, 'Wrong answer')],
    });
    assert.equal(request.messages[0].content, optimizerSystemPrompt);
    const user = request.messages[1].content;
    assert.match(user, /Keep every variable exactly as written: \{\{article\}\}, \{\{audience\}\}, \{\{maxBullets\}\}/);
    assert.match(user, /OUTPUT FORMAT/);
    assert.ok(user.indexOf('too long, buries') < user.indexOf('Wrong answer'), 'a commented low rating comes first');
    assert.ok(user.indexOf('LOW-RATED') < user.indexOf('HIGH-RATED'));
    assert.match(user, /one of: clarify, context, format, steps, comments/);
    assert.equal(request.used.length, 3);
  });

  it('stays within the optimizer context, dropping the examples that do not fit', () => {
    const long = Array.from({ length: 40 }, (_, i) => example(i % 2 ? 2 : 5, `answer ${i} `.repeat(80), 'comment'));
    const request = buildOptimizerRequest({ body: 'Summarize {{article}}', variables: ['article'], promptName: 'x', scores: [], examples: long, contextTokens: 2048 });
    const tokens = estimateTokens(request.messages.map((m) => m.content).join('\n'));
    assert.ok(tokens <= 2048 - 1500 + 50, `prompt of ${tokens} tokens leaves room to answer`);
    assert.ok(request.used.length > 0 && request.used.length < 40);
    assert.equal(request.options.num_ctx, 2048);
  });
});

describe('reading the optimizer answer', () => {
  it('parses the stated format, and streams: a block is complete once closed', () => {
    const text = 'CRITIQUE: Too long.\nREWRITE 1\nTECHNIQUE: clarify\nSUMMARY: Shorter.\n<<<\nSay {{x}} briefly.\n>>>\nREWRITE 2\nTECHNIQUE: steps\n<<<\nThink, then say {{x}}';
    const partial = parseOptimizerOutput(text);
    assert.equal(partial.critique, 'Too long.');
    assert.equal(partial.critiqueComplete, true);
    assert.deepEqual(partial.rewrites.map((r) => [r.technique, r.complete]), [['clarify', true], ['steps', false]]);
    assert.equal(partial.rewrites[0].body, 'Say {{x}} briefly.');
    assert.equal(parseOptimizerOutput(text, true).rewrites[1].complete, true, 'the end of the answer closes the last block');
  });

  it('tolerates what small models do: bold labels, "Rewrite #2", code fences, other technique words', () => {
    const text = '**Critique:** The answers ramble.\n\n### Rewrite #1\n**Technique:** Step-by-step reasoning\n```\nList the steps for {{x}}.\n```\n\nRewrite 2\nTechnique: few-shot examples\nSUMMARY: adds examples\n<<<\nExample: ...\n{{x}}\n>>>';
    const parsed = parseOptimizerOutput(text, true);
    assert.equal(parsed.critique, 'The answers ramble.');
    assert.deepEqual(parsed.rewrites.map((r) => r.technique), ['steps', 'fewshot']);
    assert.equal(parsed.rewrites[0].body, 'List the steps for {{x}}.');
    assert.equal(parseOptimizerOutput('Nothing in the format at all.', true).rewrites.length, 0);
    // A body line that looks like a header is body text, not a new rewrite.
    const inside = parseOptimizerOutput('REWRITE 1\nTECHNIQUE: clarify\n<<<\nSay {{x}}.\nRewrite 3 times if unclear.\n>>>\n', true);
    assert.equal(inside.rewrites.length, 1);
    assert.match(inside.rewrites[0].body, /Rewrite 3 times if unclear\./);
    // A stopped answer leaves its open block unfinished (not offered as complete).
    assert.equal(parseOptimizerOutput('REWRITE 1\n<<<\nSay {{x}}', false).rewrites[0].complete, false);
  });
});

describe('checking a rewrite', () => {
  const input = {};
  it('keeps the parent frontmatter, and accepts a body that keeps every variable', async () => {
    const { body } = splitPrompt(summarize);
    const checked = await checkRewrite(summarize, body.replace('Lead with the decision', 'Start with the decision'), input, { resolvePartial: partials });
    assert.equal(checked.status, 'ok');
    assert.ok(checked.text.startsWith(splitPrompt(summarize).frontmatter));
  });

  it('repairs a renamed variable and a frontmatter of its own, and says so', async () => {
    const { body } = splitPrompt(summarize);
    const renamed = `---\nmodel: broken: [\n---\n${body.replace(/\{\{article\}\}/g, '{{article_text}}')}`;
    const checked = await checkRewrite(summarize, renamed, input, { resolvePartial: partials });
    assert.equal(checked.status, 'repaired');
    assert.ok(checked.notes.some((n) => /renamed \{\{article\}\} to \{\{article_text\}\}; renamed back/.test(n)), checked.notes.join(' | '));
    assert.ok(checked.notes.some((n) => /original frontmatter/.test(n)));
    assert.deepEqual(usedVariables(checked.text), usedVariables(summarize));
  });

  it('rejects a rewrite that drops a variable, invents one, does not parse, or changes nothing', async () => {
    const { body } = splitPrompt(summarize);
    const cases: [string, RegExp][] = [
      [body.replace('{{article}}', 'the article'), /drops \{\{article\}\}/],
      [`${body}\n{{tone}} {{mood}}`, /uses \{\{mood\}\}, \{\{tone\}\}, which no input provides/],
      [`${body}\n{{#if audience}}unclosed`, /does not (parse|render)/],
      [body, /same as the current prompt/],
    ];
    for (const [rewrite, reason] of cases) {
      const checked = await checkRewrite(summarize, rewrite, input, { resolvePartial: partials });
      assert.equal(checked.status, 'rejected', String(reason));
      assert.match(checked.notes.join(' '), reason);
    }
  });

  it('few-shot examples from the best-rated answers go into the last user turn, escaped', async () => {
    const { body } = splitPrompt(summarize);
    const result = fewShotBody(body, [example(2, 'bad'), example(5, 'The {{council}} approved it.'), example(4, 'Fine answer')])!;
    assert.equal(result.used.length, 2);
    assert.equal(result.used[0].score, 5);
    assert.ok(result.body.indexOf('Here are examples') > result.body.indexOf('{{role "user"}}'));
    assert.match(result.body, /\\\{\{council\}\}/);
    const checked = await checkRewrite(summarize, result.body, input, { resolvePartial: partials });
    assert.equal(checked.status, 'ok', checked.notes.join(' | '));
    const rendered = await renderPrompt(checked.text, {}, { resolvePartial: partials });
    assert.match(rendered.messages.at(-1)!.content, /The \{\{council\}\} approved it\./, 'the example renders as literal text');
    assert.equal(fewShotBody(body, [example(3, 'meh')]), undefined);
    assert.equal(escapeHandlebars('a {{b}} \\{{c}}'), 'a \\{{b}} \\{{c}}');
  });
});

describe('the simulator answers optimizer requests with checkable rewrites', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ port: 0, timeScale: 0 });
  });
  after(() => sim.close());

  it('streams a critique and rewrites; the checker repairs the renamed variable', async () => {
    const { body } = splitPrompt(summarize);
    const request = buildOptimizerRequest({ body, variables: usedVariables(summarize), promptName: 'summarize', scores: [], examples: [example(2, 'Too long', 'too long; lead with the decision')] });
    let chunks = 0;
    const outcome = await streamChat(new Ollama({ host: sim.url }), { model: 'qwen2.5:7b', messages: request.messages, options: request.options }, { onText: () => chunks++ }, { host: sim.url });
    assert.equal(outcome.status, 'done');
    assert.ok(chunks > 20, 'it streams');
    const parsed = parseOptimizerOutput(outcome.text, true);
    assert.match(parsed.critique ?? '', /too long/);
    assert.deepEqual(parsed.rewrites.map((r) => r.technique), ['clarify', 'format', 'steps']);
    const checked = await Promise.all(parsed.rewrites.map((r) => checkRewrite(summarize, r.body, {}, { resolvePartial: partials })));
    assert.deepEqual(checked.map((c) => c.status), ['ok', 'repaired', 'ok']);
  });
});
