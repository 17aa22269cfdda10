/**
 * Bad and odd input: fuzzed prompt files and case files never make the parsers
 * throw, every problem points inside the file, and odd but legal files (CRLF, a
 * BOM, no frontmatter, an empty body, non-Latin names, a 5 MB prompt, 10,000
 * cases) work. The counts of fuzzed inputs are printed so the note can cite them.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzePrompt } from '../../src/core/analysis';
import { checkCases, neededVariables } from '../../src/core/caseCheck';
import { parseCases } from '../../src/core/cases';
import { renderPrompt } from '../../src/core/prompt';
import { caseKeyOf, planSweep } from '../../src/core/sweep/plan';

const runs = { prompts: 0, cases: 0 };
after(() => console.log(`fuzzed inputs: ${runs.prompts} prompt files, ${runs.cases} case files`));

/** Pieces of real prompt files, so the fuzzer reaches deep states, not only YAML errors on line 0. */
const promptPieces = [
  '---\n', 'model: ollama/llama3.2\n', 'config:\n  temperature: 0.3\n', 'input:\n  schema:\n    topic: string\n', '  default:\n    topic: x\n',
  'output:\n  format: json\n', '{{role "system"}}\n', '{{role "user"}}\n', '{{topic}}', '{{#if topic}}', '{{/if}}', '{{#each items}}', '{{/each}}',
  '{{> tone}}', '{{json this}}', '{{', '}}', '"', ':', '\t', '\r\n', '\uFEFF', '😀', 'описание', '  - ', 'null', '{{@root.x}}', '{{{raw}}}', '{{!-- c --}}',
];
const promptText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(fc.constantFrom(...promptPieces), { maxLength: 40 }).map((parts) => parts.join('')));

function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

describe('fuzzed .prompt files', () => {
  it('analysis never throws and every problem lies inside the file', () => {
    fc.assert(
      fc.property(promptText, (text) => {
        runs.prompts++;
        const analysis = analyzePrompt(text, { knownModels: ['llama3.2:latest'] });
        const lines = lineCount(text);
        for (const p of analysis.problems) {
          assert.ok(p.range.start.line >= 0 && p.range.end.line < lines + 1, `${p.code} at line ${p.range.start.line} of ${lines}`);
          assert.ok(p.range.start.character >= 0 && p.range.end.character >= 0);
          assert.ok(p.message.length > 0);
        }
        neededVariables(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('rendering either works or throws one of the two documented errors (with a line when it has one)', async () => {
    await fc.assert(
      fc.asyncProperty(promptText, async (text) => {
        runs.prompts++;
        try {
          await renderPrompt(text, { topic: 'tides', items: [1, 2] });
        } catch (error) {
          assert.ok(error instanceof Error && /PromptParseError|PromptRenderError/.test(error.name), `unexpected ${String(error)}`);
          const line = (error as { line?: number }).line;
          if (line !== undefined) assert.ok(line >= 0 && line < lineCount(text) + 1);
        }
      }),
      { numRuns: 700 },
    );
  });
});

describe('fuzzed case files', () => {
  const casePieces = ['- ', 'topic: ', 'x\n', '  ', '"', ',', '\n', '\r\n', '{"a":1}', '[', ']', 'null', '|\n', '😀', ':', '#'];
  const caseText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(fc.constantFrom(...casePieces), { maxLength: 50 }).map((p) => p.join('')));

  for (const ext of ['yaml', 'jsonl', 'csv']) {
    it(`${ext}: never throws; problems point at a line of the file; cases carry objects`, () => {
      fc.assert(
        fc.property(caseText, (text) => {
          runs.cases++;
          const parsed = parseCases(text, `x.cases.${ext}`);
          const lines = lineCount(text);
          for (const p of parsed.problems) assert.ok(p.line >= 0 && p.line < lines + 1, `line ${p.line} of ${lines}: ${p.message}`);
          for (const c of parsed.cases) assert.ok(c.input && typeof c.input === 'object' && !Array.isArray(c.input));
          for (const issue of checkCases(parsed, [{ label: 'x.prompt', needs: ['topic'] }])) assert.ok(issue.line >= 0 && issue.line < lines + 1);
        }),
        { numRuns: 2000 },
      );
    });
  }
});

describe('odd but legal files', () => {
  const base = '---\nmodel: ollama/llama3.2\ninput:\n  schema:\n    topic: string\n---\n{{role "user"}}\nWrite about {{topic}}.\n';

  it('CRLF line endings and a BOM render like the plain file', async () => {
    const plain = await renderPrompt(base, { topic: 'tides' });
    const crlf = await renderPrompt('\uFEFF' + base.replace(/\n/g, '\r\n'), { topic: 'tides' });
    assert.deepEqual(crlf.messages.map((m) => m.content.replace(/\r/g, '')), plain.messages.map((m) => m.content));
    assert.equal(analyzePrompt('\uFEFF' + base.replace(/\n/g, '\r\n')).problems.filter((p) => p.severity === 'error').length, 0);
  });

  it('no frontmatter, and an empty body', async () => {
    const bare = await renderPrompt('Say hello to {{name}}.', { name: 'Ada' });
    assert.equal(bare.messages.at(-1)?.content, 'Say hello to Ada.');
    const empty = await renderPrompt('---\nmodel: ollama/llama3.2\n---\n', {});
    assert.ok(Array.isArray(empty.messages));
    assert.equal(analyzePrompt('---\nmodel: ollama/llama3.2\n---\n').problems.filter((p) => p.severity === 'error').length, 0);
  });

  it('non-Latin scripts and emoji in names, variables and values', async () => {
    const text = '---\ninput:\n  schema:\n    название: string\n    話題: string\n---\n{{название}} — {{話題}} 🚀';
    const rendered = await renderPrompt(text, { название: 'Привет', 話題: '潮汐' });
    assert.equal(rendered.messages.at(-1)?.content, 'Привет — 潮汐 🚀');
    const analysis = analyzePrompt(text);
    assert.deepEqual(analysis.uses.map((u) => u.name).sort(), ['название', '話題'].sort());
    assert.equal(analysis.problems.filter((p) => p.code === 'undefined-variable').length, 0);
    assert.equal(caseKeyOf({ название: 'Привет' }), caseKeyOf({ название: 'Привет' }));
  });

  it('a 5 MB prompt is analysed and rendered', async () => {
    const big = base + 'The tide rises and falls. '.repeat(200_000);
    assert.ok(big.length > 5_000_000);
    const started = performance.now();
    const analysis = analyzePrompt(big);
    const rendered = await renderPrompt(big, { topic: 'tides' });
    console.log(`5 MB prompt: analysed and rendered in ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(analysis.problems.filter((p) => p.severity === 'error').length, 0);
    assert.ok(rendered.messages.at(-1)!.content.length > 5_000_000);
  });

  it('10,000 cases parse in every format and plan into a sweep', async () => {
    const inputs = Array.from({ length: 10_000 }, (_, i) => ({ topic: `topic ${i}, "quoted"` }));
    const files = {
      yaml: inputs.map((c) => `- topic: ${JSON.stringify(c.topic)}`).join('\n'),
      jsonl: inputs.map((c) => JSON.stringify(c)).join('\n'),
      csv: ['topic', ...inputs.map((c) => `"${c.topic.replace(/"/g, '""')}"`)].join('\n'),
    };
    for (const [ext, text] of Object.entries(files)) {
      const parsed = parseCases(text, `big.cases.${ext}`);
      assert.deepEqual(parsed.problems, [], ext);
      assert.equal(parsed.cases.length, 10_000, ext);
      assert.equal(parsed.cases[9_999].input.topic, 'topic 9999, "quoted"', ext);
    }
    const cases = parseCases(files.jsonl, 'big.cases.jsonl').cases;
    const plan = await planSweep(
      { family: { id: 'big', name: 'big', path: 'big.prompt' }, variants: [{ variant: '', source: base, path: '/w/big.prompt' }], models: ['llama3.2'], cases },
      async (variant, input) => {
        const r = await renderPrompt(variant.source, input);
        return { messages: r.messages, options: r.options };
      },
    );
    assert.equal(plan.cells.length, 10_000);
    assert.equal(new Set(plan.cells.map((c) => c.cellId)).size, 10_000);
  });
});
