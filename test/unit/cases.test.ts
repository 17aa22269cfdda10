import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { caseFileCandidates, caseLabel, parseCases, parseCsv, promptFamily } from '../../src/core/cases';

test('a variant belongs to its base prompt family', () => {
  assert.deepEqual(promptFamily('/w/summarize.concise.prompt'), { folder: '/w', family: 'summarize', variant: 'concise' });
  assert.deepEqual(promptFamily('/w/summarize.prompt'), { folder: '/w', family: 'summarize' });
  assert.equal(caseFileCandidates('/w/summarize.steps.prompt')[0], '/w/summarize.cases.yaml');
});

test('YAML cases: a list of input mappings with their lines', () => {
  const parsed = parseCases('# cases\n- article: one\n  audience: me\n- article: |\n    two\n', 'x.cases.yaml');
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.cases.length, 2);
  assert.deepEqual(parsed.cases[0], { index: 0, line: 1, input: { article: 'one', audience: 'me' } });
  assert.equal(parsed.cases[1].line, 3);
  assert.equal(parsed.cases[1].input.article, 'two\n');
});

test('YAML cases: errors keep their line and never throw', () => {
  const bad = parseCases('- a: 1\n- b: [unclosed\n', 'x.cases.yaml');
  assert.equal(bad.cases.length, 0);
  assert.equal(bad.problems.length, 1);
  assert.match(bad.problems[0].message, /Not valid YAML/);
  const notList = parseCases('a: 1\n', 'x.cases.yml');
  assert.match(notList.problems[0].message, /YAML list/);
  const scalarItem = parseCases('- a: 1\n- just text\n', 'x.cases.yaml');
  assert.equal(scalarItem.cases.length, 1);
  assert.deepEqual(scalarItem.problems, [{ line: 1, message: 'Case 2 is not a mapping of variable names to values.' }]);
});

test('JSONL cases: one object per line; bad lines reported with their line', () => {
  const parsed = parseCases('{"a":1}\n\nnot json\n[1]\n{"a":2}\r\n', 'x.cases.jsonl');
  assert.deepEqual(parsed.cases.map((c) => [c.line, c.input.a]), [[0, 1], [4, 2]]);
  assert.deepEqual(parsed.problems.map((p) => p.line), [2, 3]);
});

test('CSV cases: header names the variables; quotes hold commas, quotes and newlines', () => {
  const parsed = parseCases('\uFEFFticket,lang\r\n"a, ""quoted""\nline",en\nplain,de\n', 'x.cases.csv');
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.cases.map((c) => c.input), [{ ticket: 'a, "quoted"\nline', lang: 'en' }, { ticket: 'plain', lang: 'de' }]);
  assert.equal(parsed.cases[1].line, 3);
});

test('CSV: ragged rows and unclosed quotes are problems, not crashes', () => {
  const ragged = parseCases('a,b\n1\n', 'x.csv');
  assert.match(ragged.problems[0].message, /1 cells; the header has 2/);
  const unclosed = parseCsv('a\n"never closed\n');
  assert.equal(unclosed.problems.length, 1);
  assert.equal(unclosed.problems[0].line, 1);
});

test('case labels preview the first text value', () => {
  assert.equal(caseLabel({ index: 1, input: { n: 3, article: '  The   quarterly\nreport ' } }), 'case 2: The quarterly report');
  assert.ok(caseLabel({ index: 0, input: { t: 'x'.repeat(100) } }).endsWith('…'));
});
