import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkCases, neededVariables } from '../../src/core/caseCheck';
import { appendCase, parseCases, sameInput } from '../../src/core/cases';
import { familyIdOf, freeVariantName, groupFamilies, validateVariantName, variantPath } from '../../src/core/family';
import type { SweepView } from '../../src/core/protocol';
import { estimateSweep, formatEstimate, recordSpeed } from '../../src/core/sweep/estimate';
import { exportRows, toCsv, toJsonl } from '../../src/core/sweep/export';
import { diffRenderedMessages, diffStats } from '../../src/core/variantDiff';

const root = path.resolve('/ws');
const at = (...parts: string[]) => path.join(root, ...parts);

describe('variant families', () => {
  it('groups base, variants and the cases sidecar; leaves partials out', () => {
    const families = groupFamilies(
      [at('summarize.concise.prompt'), at('summarize.prompt'), at('summarize.cases.yaml'), at('_tone.prompt'), at('sub', 'classify.prompt'), at('sub', 'classify.cases.csv'), at('summarize.steps.v2.prompt'), at('notes.md')],
      root,
    );
    assert.deepEqual(families.map((f) => f.id), ['sub/classify', 'summarize']);
    const summarize = families[1];
    assert.deepEqual(summarize.variants.map((v) => v.variant), ['', 'concise', 'steps.v2']);
    assert.equal(summarize.casesPath, at('summarize.cases.yaml'));
    assert.equal(families[0].casesPath, at('sub', 'classify.cases.csv'));
    assert.equal(variantPath(summarize, 'fewshot'), at('summarize.fewshot.prompt'));
    assert.equal(familyIdOf(at('sub', 'classify.short.prompt'), root), 'sub/classify');
  });

  it('a family may have only variants, and YAML wins over CSV when both exist', () => {
    const [family] = groupFamilies([at('x.a.prompt'), at('x.cases.csv'), at('x.cases.yaml')], root);
    assert.deepEqual(family.variants.map((v) => v.variant), ['a']);
    assert.equal(family.casesPath, at('x.cases.yaml'));
  });

  it('validates new variant names with a sentence that says what to do', () => {
    assert.equal(validateVariantName('concise', ['steps']), undefined);
    assert.equal(validateVariantName('few_shot-2', []), undefined);
    assert.match(validateVariantName('', [])!, /Give the variant a name/);
    assert.match(validateVariantName('two words', [])!, /instead of spaces/);
    assert.match(validateVariantName('a/b', [])!, /cannot contain/);
    assert.match(validateVariantName('Steps', ['steps'])!, /already exists/);
    assert.match(validateVariantName('x.prompt', [])!, /without "\.prompt"/);
    assert.match(validateVariantName('cases', [])!, /reserved/);
    assert.match(validateVariantName('.hidden', [])!, /dot/);
    assert.equal(freeVariantName('concise', ['concise', 'concise-2']), 'concise-3');
  });
});

describe('test cases', () => {
  it('appends a case in the file format, keeping what was there', () => {
    const yaml = appendCase('# my cases\n- topic: tides\n', 'a.cases.yaml', { topic: 'two\nlines', n: 3 });
    assert.ok(yaml.startsWith('# my cases\n- topic: tides\n'));
    assert.deepEqual(parseCases(yaml, 'a.cases.yaml').cases.map((c) => c.input), [{ topic: 'tides' }, { topic: 'two\nlines', n: 3 }]);
    const jsonl = appendCase('{"a":1}', 'a.cases.jsonl', { a: 2 });
    assert.deepEqual(parseCases(jsonl, 'a.cases.jsonl').cases.map((c) => c.input), [{ a: 1 }, { a: 2 }]);
    const crlf = appendCase('{"a":1}\r\n', 'a.cases.jsonl', { a: 2 });
    assert.equal(crlf, '{"a":1}\r\n{"a":2}\r\n');
  });

  it('a CSV gains the columns it lacked, earlier rows padded, quoting kept right', () => {
    const csv = appendCase('ticket\n"hi, there"\n', 'a.cases.csv', { ticket: 'say "x"', extra: 'y' });
    const parsed = parseCases(csv, 'a.cases.csv');
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.cases.map((c) => c.input), [{ ticket: 'hi, there', extra: '' }, { ticket: 'say "x"', extra: 'y' }]);
  });

  it('flags cases that lack a variable some variant needs, with the case line', () => {
    const base = '---\ninput:\n  schema:\n    article: string\n    audience?: string\n  default:\n    tone: calm\n---\n{{article}} for {{audience}} in a {{tone}} way';
    assert.deepEqual(neededVariables(base), ['article']);
    const steps = '{{article}} {{question}}';
    const parsed = parseCases('- article: a\n  question: q\n- question: only\n', 'x.cases.yaml');
    const issues = checkCases(parsed, [{ label: 'x.prompt', needs: neededVariables(base) }, { label: 'x.steps.prompt', needs: neededVariables(steps) }]);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].line, 2);
    assert.match(issues[0].message, /Case 2 has no value for "article", which the prompt needs/);
    const onlySteps = checkCases(parseCases('- article: a\n', 'x.cases.yaml'), [{ label: 'x.prompt', needs: ['article'] }, { label: 'x.steps.prompt', needs: ['article', 'question'] }]);
    assert.match(onlySteps[0].message, /"question", which x\.steps\.prompt needs/);
    assert.ok(sameInput({ a: 1, b: [2] }, { b: [2], a: 1 }));
    assert.ok(!sameInput({ a: 1 }, { a: 1, b: 2 }));
  });
});

describe('export', () => {
  const sweep: SweepView = {
    sweepId: 's1', family: 'summarize', familyPath: 'summarize.prompt', variants: ['', 'concise'], models: ['m'],
    cases: [{ index: 0, label: 'case 1: x', input: { x: 'a,b' } }], params: [{ temperature: 0.5 }], repeats: 1,
    cells: [
      { cellId: 'b', variant: 'concise', model: 'm', caseIndex: 0, paramsIndex: 0, repeat: 0, status: 'failed', text: '', error: { kind: 'cut', message: 'cut, "badly"' } },
      { cellId: 'a', variant: '', model: 'm', caseIndex: 0, paramsIndex: 0, repeat: 0, status: 'done', text: '=HYPERLINK("x")\nline 2', metrics: { totalMs: 1234.56, tokensPerSecond: 41.234 }, answerKey: 'k1' },
    ],
    state: 'finished', startedAt: 0, summaries: [], consistency: [],
  };

  it('rows come in grid order with ratings joined by answer key', () => {
    const rows = exportRows(sweep, new Map([['k1', { score: 4, comment: 'good' }]]));
    assert.deepEqual(rows.map((r) => r.variant), ['base', 'concise']);
    assert.equal(rows[0].total_ms, 1235);
    assert.equal(rows[0].tokens_per_second, 41.23);
    assert.equal(rows[0].score, 4);
    assert.equal(rows[1].error, 'cut, "badly"');
  });

  it('CSV quotes what needs quoting and defuses formulas; JSONL is one object per line', () => {
    const rows = exportRows(sweep);
    const csv = toCsv(rows);
    const parsed = parseCases(csv, 'x.csv');
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.cases.length, 2);
    assert.equal(parsed.cases[0].input.text, '\'=HYPERLINK("x")\nline 2');
    assert.equal(parsed.cases[0].input.input, '{"x":"a,b"}');
    const lines = toJsonl(rows).trim().split('\n');
    assert.equal(lines.length, 2);
    assert.equal((JSON.parse(lines[0]) as { text: string }).text, '=HYPERLINK("x")\nline 2');
  });
});

describe('estimates and diffs', () => {
  it('estimates from measured speeds, model by model, shared by slots', () => {
    let speeds = recordSpeed({}, 'm', { tokensPerSecond: 50, answerTokens: 100, ttftMs: 100, loadMs: 1000 });
    speeds = recordSpeed(speeds, 'm', { tokensPerSecond: 50, answerTokens: 100, ttftMs: 100, loadMs: 10 });
    const estimate = estimateSweep(new Map([['m', 10]]), speeds, 2);
    // One load (1 s) + 10 × (0.1 s + 2 s) / 2 slots.
    assert.equal(Math.round(estimate.ms), 1000 + 10500);
    assert.deepEqual(estimate.guessed, []);
    assert.deepEqual(estimateSweep(new Map([['new', 1]]), speeds, 1).guessed, ['new']);
    assert.equal(formatEstimate(11_500), 'about 10 s');
    assert.equal(formatEstimate(125_000), 'about 2 min');
  });

  it('diffs rendered messages word by word, by position', () => {
    const diff = diffRenderedMessages(
      [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Summarize the text.' }],
      [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Summarize the text in one sentence.' }, { role: 'user', content: 'Extra' }],
    );
    assert.equal(diff.length, 3);
    assert.ok(diff[0].parts.every((p) => !p.added && !p.removed));
    // "text." → "text in one sentence.": punctuation is its own token, so nothing is removed.
    assert.deepEqual(diffStats(diff), { added: 4, removed: 0 });
    assert.equal(diff[2].parts[0].added, true);
  });
});
