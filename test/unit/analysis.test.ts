import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as fc from 'fast-check';
import { picoschema } from 'dotprompt';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { analyzePrompt, completionContext, modelMatches, variableAt } from '../../src/core/analysis';
import type { AnalyzeOptions, DeclaredVariable, PromptAnalysis, PromptProblem, TextRange } from '../../src/core/analysis';

// --- helpers -------------------------------------------------------------------------------------

function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The text a range covers (single- or multi-line, joined with \n). */
function textAt(text: string, range: TextRange): string {
  const ls = lines(text);
  if (range.start.line === range.end.line) return (ls[range.start.line] ?? '').slice(range.start.character, range.end.character);
  const out = [(ls[range.start.line] ?? '').slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) out.push(ls[l] ?? '');
  out.push((ls[range.end.line] ?? '').slice(0, range.end.character));
  return out.join('\n');
}

function problems(text: string, code: string, options?: AnalyzeOptions): PromptProblem[] {
  return analyzePrompt(text, options).problems.filter((p) => p.code === code);
}

function only(text: string, code: string, options?: AnalyzeOptions): PromptProblem {
  const found = problems(text, code, options);
  assert.equal(found.length, 1, `exactly one ${code} in:\n${text}\n got: ${JSON.stringify(analyzePrompt(text, options).problems, null, 1)}`);
  return found[0];
}

function codes(analysis: PromptAnalysis): string[] {
  return analysis.problems.map((p) => p.code);
}

function assertRangesValid(text: string, analysis: PromptAnalysis): void {
  const ls = lines(text);
  const check = (range: TextRange, what: string): void => {
    for (const p of [range.start, range.end]) {
      assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character), `${what}: integer position`);
      assert.ok(p.line >= 0 && p.line < ls.length, `${what}: line ${p.line} within ${ls.length} lines`);
      assert.ok(p.character >= 0 && p.character <= ls[p.line].length, `${what}: character ${p.character} within line ${p.line} (${ls[p.line].length})`);
    }
    const ordered = range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character);
    assert.ok(ordered, `${what}: start before end`);
  };
  for (const p of analysis.problems) check(p.range, p.code);
  for (const u of analysis.uses) check(u.range, `use ${u.path}`);
  for (const h of analysis.helpersUsed) check(h.range, `helper ${h.name}`);
  for (const p of analysis.partialsUsed) check(p.range, `partial ${p.name}`);
  for (const d of analysis.declared) if (d.range) check(d.range, `declared ${d.name}`);
  if (analysis.model) check(analysis.model.range, 'model');
}

const summarize = [
  '---',
  'model: ollama/llama3.2',
  'config:',
  '  temperature: 0.3',
  '  maxOutputTokens: 400',
  '  num_ctx: 8192',
  'input:',
  '  schema:',
  '    article(object, the article to summarize):',
  '      title: string',
  '      body: string',
  '    tone?(enum, how it should sound): [neutral, playful]',
  '    tags(array, labels): string',
  '  default:',
  '    tone: neutral',
  'promptLoop.cases: cases.yaml',
  '---',
  '{{role "system"}}',
  'You summarize articles. Tone: {{tone}}.',
  '{{role "user"}}',
  '# {{article.title}}',
  '{{article.body}}',
  '{{#each tags as |tag|}}- {{tag}} ({{@index}}){{/each}}',
  '',
].join('\n');

// --- a clean prompt --------------------------------------------------------------------------

void describe('analyzePrompt: a well-formed prompt', () => {
  const a = analyzePrompt(summarize, { knownModels: ['llama3.2:latest'] });

  void test('has no problems', () => {
    assert.deepEqual(a.problems, []);
  });

  void test('finds the frontmatter, the body and the model as written', () => {
    assert.deepEqual(a.frontmatterRange, { start: { line: 1, character: 0 }, end: { line: 15, character: 'promptLoop.cases: cases.yaml'.length } });
    assert.equal(a.bodyStartLine, 17);
    assert.equal(a.model?.name, 'ollama/llama3.2');
    assert.equal(textAt(summarize, a.model?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }), 'ollama/llama3.2');
  });

  void test('declares variables from the Picoschema with types, descriptions, optionality and defaults', () => {
    const byName = new Map(a.declared.map((d) => [d.name, d]));
    assert.deepEqual([...byName.keys()], ['article', 'tone', 'tags']);
    const article = byName.get('article')!;
    assert.equal(article.type, 'object');
    assert.equal(article.description, 'the article to summarize');
    assert.equal(article.optional, false);
    assert.deepEqual(article.properties?.map((p) => [p.name, p.type]), [['title', 'string'], ['body', 'string']]);
    assert.equal(textAt(summarize, article.range!), 'article');
    const tone = byName.get('tone')!;
    assert.equal(tone.type, '"neutral" | "playful"');
    assert.equal(tone.optional, true);
    assert.equal(tone.hasDefault, true);
    assert.equal(tone.defaultValue, 'neutral');
    assert.equal(textAt(summarize, tone.range!), 'tone');
    const tags = byName.get('tags')!;
    assert.equal(tags.type, 'string[]');
    assert.equal(tags.description, 'labels');
  });

  void test('lists root uses with dotted paths and exact ranges, not block params or @data', () => {
    assert.deepEqual(a.uses.map((u) => u.path), ['tone', 'article.title', 'article.body', 'tags']);
    for (const u of a.uses) assert.equal(textAt(summarize, u.range), u.path);
    assert.deepEqual(a.uses.map((u) => u.name), ['tone', 'article', 'article', 'tags']);
  });

  void test('lists helpers (role, each) at their names', () => {
    assert.deepEqual(a.helpersUsed.map((h) => h.name), ['role', 'role', 'each']);
    for (const h of a.helpersUsed) assert.equal(textAt(summarize, h.range), h.name);
  });
});

// --- frontmatter problems --------------------------------------------------------------------

void describe('analyzePrompt: frontmatter problems', () => {
  void test('invalid-yaml: at the YAML error, with what YAML said', () => {
    const text = '---\nmodel: ollama/llama3.2\nconfig: {temperature: 0.2\n---\nHi';
    const p = only(text, 'invalid-yaml');
    assert.equal(p.severity, 'error');
    assert.equal(p.range.start.line, 2);
    assert.match(p.message, /not valid YAML: .*(flow|Flow|\}|end)/);
    assert.match(p.message, /whole file/);
  });

  void test('invalid-yaml: a duplicate key points at the second one', () => {
    const text = '---\nmodel: a\nmodel: b\n---\nHi';
    const p = only(text, 'invalid-yaml');
    assert.equal(p.range.start.line, 2);
    assert.equal(textAt(text, p.range), 'model');
    assert.match(p.message, /unique/);
  });

  void test('frontmatter-not-closed: on the opening fence, and nothing else is reported', () => {
    const text = '---\nmodel: ollama/llama3.2\nHello {{name}}';
    const a = analyzePrompt(text);
    assert.deepEqual(codes(a), ['frontmatter-not-closed']);
    assert.equal(a.problems[0].severity, 'error');
    assert.deepEqual(a.problems[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } });
    assert.match(a.problems[0].message, /add a line with `---`/);
  });

  void test('frontmatter-not-mapping: a list or a scalar', () => {
    const list = '---\n- a\n- b\n---\nHi';
    const p = only(list, 'frontmatter-not-mapping');
    assert.equal(p.severity, 'error');
    assert.equal(textAt(list, p.range), '- a\n- b');
    assert.match(p.message, /list/);
    assert.equal(only('---\njust text\n---\nHi', 'frontmatter-not-mapping').range.start.line, 1);
  });

  void test('an empty frontmatter mapping is fine for YAML, but Dotprompt ignores an empty block', () => {
    assert.deepEqual(problems('---\n# only a comment\n---\nHi', 'frontmatter-not-mapping'), []);
    const p = only('---\n---\nHi', 'frontmatter-ignored');
    assert.equal(p.range.start.line, 1);
    assert.match(p.message, /empty/);
  });

  void test('frontmatter-ignored: the closing fence must be followed by a line break', () => {
    const p = only('---\nmodel: ollama/llama3.2\n---', 'frontmatter-ignored');
    assert.equal(p.severity, 'warning');
    assert.equal(p.range.start.line, 2);
    assert.match(p.message, /line break/);
    assert.deepEqual(problems('---\nmodel: ollama/llama3.2\n---\n', 'frontmatter-ignored'), []);
  });

  void test('frontmatter-not-at-start: blank lines before the fence', () => {
    const p = only('\n\n---\nmodel: x\n---\nHi', 'frontmatter-not-at-start');
    assert.equal(p.range.start.line, 2);
    assert.deepEqual(problems('Intro\n---\nnot frontmatter\n---\n', 'frontmatter-not-at-start'), []);
  });

  void test('unknown-frontmatter-key: warning with a suggestion; namespaced and Dotprompt keys are fine', () => {
    const text = '---\nmodle: ollama/llama3.2\nmetadata: {a: 1}\next: {}\npromptLoop.cases: x.yaml\nmy.thing: 1\ndescription: d\n---\nHi';
    const p = only(text, 'unknown-frontmatter-key');
    assert.equal(p.severity, 'warning');
    assert.equal(textAt(text, p.range), 'modle');
    assert.deepEqual(p.suggestions, ['model']);
    assert.match(p.message, /Did you mean `model`/);
  });

  void test('non-ollama-model: a provider prefix other than ollama', () => {
    const text = '---\nmodel: googleai/gemini-2.0-flash\n---\nHi';
    const p = only(text, 'non-ollama-model');
    assert.equal(p.severity, 'warning');
    assert.equal(textAt(text, p.range), 'googleai/gemini-2.0-flash');
    assert.match(p.message, /`googleai`/);
    // Ollama's own namespaces are not providers.
    assert.deepEqual(problems('---\nmodel: hf.co/bartowski/Llama-3.2-1B-GGUF\n---\nHi', 'non-ollama-model'), []);
    assert.deepEqual(problems('---\nmodel: mannix/llama3.1-8b\n---\nHi', 'non-ollama-model'), []);
  });

  void test('unknown-model: only with knownModels; lists close installed names', () => {
    const installed = ['llama3.2:latest', 'llama3.1:8b', 'qwen2.5:7b', 'mistral:latest', 'phi4:latest'];
    const text = '---\nmodel: ollama/llama3.3\n---\nHi';
    assert.deepEqual(problems(text, 'unknown-model'), []);
    const p = only(text, 'unknown-model', { knownModels: installed });
    assert.equal(p.severity, 'warning');
    assert.equal(textAt(text, p.range), 'ollama/llama3.3');
    assert.match(p.message, /llama3\.2:latest/);
    assert.match(p.message, /ollama pull llama3\.3/);
    assert.ok(!p.message.includes('phi4'));
    assert.deepEqual(p.suggestions?.slice(0, 2), ['ollama/llama3.2:latest', 'ollama/llama3.1:8b']);
    assert.deepEqual(problems('---\nmodel: llama3.2\n---\nHi', 'unknown-model', { knownModels: installed }), []);
    assert.deepEqual(problems('---\nmodel: "qwen2.5:7b"\n---\nHi', 'unknown-model', { knownModels: installed }), []);
    const none = only(text, 'unknown-model', { knownModels: [] });
    assert.match(none.message, /no models installed/);
  });

  void test('invalid-model: not a string', () => {
    const p = only('---\nmodel: [a, b]\n---\nHi', 'invalid-model');
    assert.equal(p.severity, 'warning');
  });

  void test('unknown-config-key: with the key to use instead; Dotprompt and snake_case Ollama options pass', () => {
    const text = '---\nconfig:\n  temperature: 0.2\n  topK: 40\n  seed: 7\n  repeat_penalty: 1.1\n  maxTokens: 100\n  numCtx: 4096\n  temprature: 1\n  frobnicate: 2\n---\nHi';
    const found = problems(text, 'unknown-config-key');
    assert.deepEqual(found.map((p) => textAt(text, p.range)), ['maxTokens', 'numCtx', 'temprature', 'frobnicate']);
    assert.deepEqual(found.map((p) => p.suggestions?.[0]), ['maxOutputTokens', 'num_ctx', 'temperature', undefined]);
    for (const p of found) assert.equal(p.severity, 'warning');
  });

  void test('invalid-config-value: wrong type for a known option', () => {
    const text = '---\nconfig:\n  temperature: hot\n  stopSequences: "###"\n  maxOutputTokens: 10.5\n---\nHi';
    const found = problems(text, 'invalid-config-value');
    assert.deepEqual(found.map((p) => textAt(text, p.range)), ['hot', '"###"', '10.5']);
    assert.match(found[1].message, /list of strings/);
  });

  void test('invalid-schema: unknown Picoschema types and misuse of parentheses', () => {
    const text = '---\ninput:\n  schema:\n    a: str\n    b: array\n    c(list): string\n    d(enum): short\n---\n{{a}}{{b}}{{c}}{{d}}';
    const found = problems(text, 'invalid-schema');
    assert.deepEqual(found.map((p) => textAt(text, p.range)), ['str', 'array', 'c', 'short']);
    assert.deepEqual(found[0].suggestions, ['string']);
    assert.match(found[1].message, /name\(array\)/);
    for (const p of found) assert.equal(p.severity, 'error');
    assert.deepEqual(problems('---\ninput:\n  schema: Article\n---\n{{x}}', 'invalid-schema', { knownSchemas: ['Article'] }), []);
  });

  void test('invalid-output-format', () => {
    const text = '---\noutput:\n  format: yaml\n---\nHi';
    assert.equal(textAt(text, only(text, 'invalid-output-format').range), 'yaml');
  });
});

// --- body problems ---------------------------------------------------------------------------

void describe('analyzePrompt: template problems', () => {
  const fm = '---\nmodel: ollama/llama3.2\n---\n';

  void test('template-syntax: an unclosed block is reported at its opening tag', () => {
    const text = `${fm}Intro\n{{#if short}}\nBe brief.\n`;
    const p = only(text, 'template-syntax');
    assert.equal(p.severity, 'error');
    assert.equal(textAt(text, p.range), '{{#if short}}');
    assert.match(p.message, /\{\{\/if\}\}/);
  });

  void test('template-syntax: a mismatched close names both blocks, at the open block', () => {
    const text = `${fm}\n{{#each items}}{{/if}}`;
    const p = only(text, 'template-syntax');
    assert.equal(p.range.start.line, 4);
    assert.equal(textAt(text, p.range), 'each');
    assert.match(p.message, /closed by `\{\{\/if\}\}`/);
  });

  void test('template-syntax: an unclosed mustache, and an unclosed comment', () => {
    const text = `${fm}Hello {{name\nand more`;
    const p = only(text, 'template-syntax');
    assert.equal(p.range.start.line, 3);
    assert.equal(textAt(text, p.range), '{{name');
    assert.match(p.message, /never closed/);
    const comment = `${fm}a\n{{!-- note\nmore`;
    const c = only(comment, 'template-syntax');
    assert.equal(c.range.start.line, 4);
    assert.match(c.message, /comment/);
  });

  void test('template-syntax: other parse errors point at the token, on the right line after the frontmatter', () => {
    const text = `${fm}line one\n  {{json data indent=}}`;
    const p = only(text, 'template-syntax');
    assert.equal(p.range.start.line, 4);
    assert.equal(textAt(text, p.range), '}}');
    assert.match(p.message, /found `\}\}`/);
  });

  void test('a template or YAML error suppresses variable checks (they would be guesses)', () => {
    const text = '---\ninput:\n  schema:\n    a: string\n---\n{{b}} {{#if a}}';
    assert.deepEqual(codes(analyzePrompt(text)), ['template-syntax']);
    assert.deepEqual(codes(analyzePrompt('---\ninput: [\n---\n{{b}}')), ['invalid-yaml']);
  });

  void test('undefined-variable: a warning at the use when the prompt declares its input', () => {
    const text = '---\ninput:\n  schema:\n    article: string\n---\n{{articel}} and {{article}}';
    const p = only(text, 'undefined-variable');
    assert.equal(p.severity, 'warning');
    assert.equal(textAt(text, p.range), 'articel');
    assert.deepEqual(p.suggestions, ['article']);
  });

  void test('undefined-variable: declared by input.default alone is declared', () => {
    const text = '---\ninput:\n  default:\n    name: Ada\n---\nHi {{name}} {{other}}';
    const p = only(text, 'undefined-variable');
    assert.equal(textAt(text, p.range), 'other');
    const decl = analyzePrompt(text).declared;
    assert.deepEqual(decl.map((d) => [d.name, d.type, d.optional, d.hasDefault, d.defaultValue]), [['name', 'string', true, true, 'Ada']]);
  });

  void test('undefined-variable: only info when nothing is declared at all', () => {
    const p = only('Hi {{name}}', 'undefined-variable');
    assert.equal(p.severity, 'info');
  });

  void test('undefined-variable: none when the schema is open, or the name is known from elsewhere', () => {
    assert.deepEqual(problems('---\ninput:\n  schema:\n    a: string\n    (*): any\n---\n{{a}} {{b}}', 'undefined-variable'), []);
    assert.deepEqual(problems('---\ninput:\n  schema:\n    a: string\n---\n{{a}} {{b}}', 'undefined-variable', { knownVariables: ['b'] }), []);
    assert.deepEqual(problems('---\ninput:\n  schema: string\n---\n{{b}}', 'undefined-variable'), []);
  });

  void test('unknown-helper: an error at the helper name', () => {
    const text = `${fm}{{summarize article}}\n{{#iff x}}y{{/iff}}\n{{json (upper x)}}`;
    const found = problems(text, 'unknown-helper');
    assert.deepEqual(found.map((p) => textAt(text, p.range)), ['summarize', 'iff', 'upper']);
    for (const p of found) assert.equal(p.severity, 'error');
    assert.deepEqual(found[1].suggestions, ['if']);
    assert.match(found[0].message, /If `summarize` is a variable/);
  });

  void test('known helpers and extraHelpers are fine; a bare unknown name is a variable, not a helper', () => {
    const text = `${fm}{{#ifEquals a "x"}}{{/ifEquals}}{{#unlessEquals a b}}{{/unlessEquals}}{{json a}}{{lookup a "k"}}{{log a}}{{history}}{{section "s"}}{{media url=a}}{{shout a}}{{plain}}`;
    assert.deepEqual(problems(text, 'unknown-helper', { extraHelpers: ['shout'] }), []);
    assert.ok(analyzePrompt(text).uses.some((u) => u.name === 'plain'));
  });

  void test('unknown-partial: only when knownPartials is given; inline partials count', () => {
    const text = `${fm}{{> header}}\n{{> footr}}\n{{#*inline "local"}}x{{/inline}}{{> local}}`;
    assert.deepEqual(problems(text, 'unknown-partial'), []);
    const p = only(text, 'unknown-partial', { knownPartials: ['header', 'footer'] });
    assert.equal(p.severity, 'error');
    assert.equal(textAt(text, p.range), 'footr');
    assert.deepEqual(p.suggestions, ['footer']);
    assert.match(p.message, /_footr\.prompt/);
    assert.deepEqual(analyzePrompt(text).partialsUsed.map((x) => x.name), ['header', 'footr', 'local']);
  });

  void test('unused-variable: info at the declaration; not judged when partials or the whole context are used', () => {
    const text = '---\ninput:\n  schema:\n    used: string\n    spare?: number\n---\n{{used}}';
    const p = only(text, 'unused-variable');
    assert.equal(p.severity, 'info');
    assert.equal(textAt(text, p.range), 'spare');
    assert.deepEqual(problems(`${text} {{> footer}}`, 'unused-variable'), []);
    assert.deepEqual(problems(`${text} {{json this}}`, 'unused-variable'), []);
    assert.deepEqual(problems(`${text} {{json @root}}`, 'unused-variable'), []);
  });

  void test('unknown-property: a property a closed schema object does not have, also through #each items', () => {
    const text = '---\ninput:\n  schema:\n    article(object):\n      title: string\n    items(array):\n      name: string\n---\n{{article.titel}}\n{{#each items}}{{nmae}} {{this.name}}{{/each}}\n{{#each items as |it|}}{{it.nam}}{{/each}}\n{{#with article}}{{title}}{{body}}{{/with}}';
    const found = problems(text, 'unknown-property');
    assert.deepEqual(found.map((p) => textAt(text, p.range)), ['article.titel', 'nmae', 'it.nam', 'body']);
    assert.deepEqual(found[0].suggestions, ['title']);
    assert.match(found[1].message, /items of `items`/);
    for (const p of found) assert.equal(p.severity, 'warning');
    // Defaults describe examples, not a closed shape.
    assert.deepEqual(problems('---\ninput:\n  default:\n    a: {x: 1}\n---\n{{a.y}}', 'unknown-property'), []);
  });

  void test('unknown-role and helper-arguments', () => {
    const text = `${fm}{{role "assistant"}}\n{{#if}}x{{/if}}\n{{if a}}\n{{#role "user"}}x{{/role}}\n{{media}}`;
    const role = only(text, 'unknown-role');
    assert.equal(textAt(text, role.range), '"assistant"');
    assert.deepEqual(role.suggestions, ['model']);
    const args = problems(text, 'helper-arguments');
    assert.deepEqual(args.map((p) => [p.range.start.line, p.severity]), [[4, 'error'], [5, 'error'], [6, 'warning'], [7, 'warning']]);
  });
});

// --- scoping ---------------------------------------------------------------------------------

void describe('analyzePrompt: variables in blocks', () => {
  const header = '---\ninput:\n  schema:\n    items(array): {title: string}\n    article(object): {title: string, author: string}\n    tone: string\n---\n';

  void test('#each: locals, this, @index, @key, @first, block params and ../ are not root uses', () => {
    const text = `${header}{{#each items as |item i|}}{{item.title}} {{title}} {{this}} {{this.title}} {{@index}} {{@first}} {{i}} {{../tone}}{{/each}}`;
    const a = analyzePrompt(text);
    assert.deepEqual(a.uses.map((u) => u.path), ['items', 'tone']);
    assert.equal(textAt(text, a.uses[1].range), '../tone');
    assert.deepEqual(a.problems.filter((p) => p.severity !== 'info'), []);
  });

  void test('#with enters the object; {{else}} is back outside; #if keeps the context', () => {
    const text = `${header}{{#with article}}{{title}} by {{author}}{{else}}{{tone}}{{/with}}{{#if tone}}{{tone}}{{/if}}`;
    const a = analyzePrompt(text);
    assert.deepEqual(a.uses.map((u) => u.path), ['article', 'tone', 'tone', 'tone']);
    assert.deepEqual(codes(a), ['unused-variable']); // items
  });

  void test('nested blocks: ../../ reaches the root from two levels down; @root.x is a root use', () => {
    const text = `${header}{{#each items}}{{#with this}}{{../../tone}} {{@root.article.author}}{{/with}}{{/each}}`;
    const a = analyzePrompt(text);
    assert.deepEqual(a.uses.map((u) => u.path), ['items', 'tone', 'article.author']);
    assert.deepEqual(a.uses.map((u) => u.name), ['items', 'tone', 'article']);
    assert.deepEqual(a.problems, []);
  });

  void test('undeclared names inside #each of an undeclared list are not guessed at', () => {
    const text = `${header}{{#each things}}{{whatever}}{{/each}}{{tone}}{{article.title}}{{#each items}}{{/each}}`;
    const found = problems(text, 'undefined-variable');
    assert.deepEqual(found.map((p) => textAt(text, p.range)), ['things']);
  });

  void test('helper params, hash values and subexpressions are uses', () => {
    const text = `${header}{{json (lookup article tone) indent=2}} {{#ifEquals tone "x"}}{{/ifEquals}} {{media url=article.title}} {{> card who=article.author}}`;
    const a = analyzePrompt(text);
    assert.deepEqual(a.uses.map((u) => u.path), ['article', 'tone', 'tone', 'article.title', 'article.author']);
    assert.deepEqual(a.helpersUsed.map((h) => h.name), ['json', 'lookup', 'ifEquals', 'media']);
  });

  void test('mustache-style sections iterate lists and enter objects', () => {
    const text = `${header}{{#items}}{{title}}{{/items}}{{#article}}{{author}}{{/article}}{{#tone}}{{/tone}}`;
    const a = analyzePrompt(text);
    assert.deepEqual(a.uses.map((u) => u.path), ['items', 'article', 'tone']);
    assert.deepEqual(a.problems, []);
  });
});

// --- text shapes -----------------------------------------------------------------------------

void describe('analyzePrompt: line endings, BOM, missing parts', () => {
  void test('CRLF: same lines and columns as LF', () => {
    const lf = '---\ninput:\n  schema:\n    a: string\n---\nHi {{b}}\n{{#if}}{{/if}}\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    const x = analyzePrompt(lf);
    const y = analyzePrompt(crlf);
    assert.deepEqual(y.problems, x.problems);
    assert.deepEqual(y.uses, x.uses);
    assert.deepEqual(y.declared, x.declared);
    assert.deepEqual(y.frontmatterRange, x.frontmatterRange);
    assert.equal(textAt(crlf, y.uses[0].range), 'b');
    const yamlError = analyzePrompt('---\r\na: 1\r\na: 2\r\n---\r\nHi').problems[0];
    assert.equal(yamlError.code, 'invalid-yaml');
    assert.deepEqual(yamlError.range.start, { line: 2, character: 0 });
  });

  void test('CRLF in a template syntax error and a lone CR', () => {
    const p = only('---\r\nmodel: ollama/x\r\n---\r\na\r\nb {{#if x}}\r\n', 'template-syntax');
    assert.deepEqual(p.range.start, { line: 4, character: 2 });
    const cr = analyzePrompt('---\rinput:\r  default:\r    a: 1\r---\r{{a}} {{b}}');
    assert.deepEqual(cr.uses.map((u) => [u.name, u.range.start.line, u.range.start.character]), [['a', 5, 2], ['b', 5, 8]]);
  });

  void test('a BOM before the frontmatter', () => {
    const text = '\uFEFF---\nmodel: ollama/llama3.2\ninput:\n  default:\n    a: 1\n---\n{{a}}';
    const a = analyzePrompt(text, { knownModels: ['llama3.2:latest'] });
    assert.deepEqual(a.problems, []);
    assert.equal(a.model?.name, 'ollama/llama3.2');
    assert.equal(a.bodyStartLine, 6);
  });

  void test('a BOM without frontmatter: positions count it, as in the text given', () => {
    const text = '\uFEFFHi {{name}}';
    const a = analyzePrompt(text);
    assert.equal(textAt(text, a.uses[0].range), 'name');
  });

  void test('no frontmatter, empty body, empty text', () => {
    const a = analyzePrompt('Just text {{x}}');
    assert.equal(a.frontmatterRange, undefined);
    assert.equal(a.bodyStartLine, 0);
    assert.equal(a.model, undefined);
    const b = analyzePrompt('---\nmodel: ollama/x\n---\n');
    assert.deepEqual(b.problems, []);
    assert.equal(b.bodyStartLine, 3);
    assert.deepEqual(b.uses, []);
    assert.deepEqual(analyzePrompt('').problems, []);
    assert.deepEqual(analyzePrompt('   \n\n').problems, []);
  });

  void test('a declared-but-unused variable in a prompt with an empty body is still reported', () => {
    assert.equal(only('---\ninput:\n  schema:\n    a: string\n---\n', 'unused-variable').severity, 'info');
  });

  void test('JSON Schema input: properties, required, descriptions', () => {
    const text = '---\ninput:\n  schema:\n    type: object\n    properties:\n      q: {type: string, description: the question}\n      n: {type: integer}\n      tags: {type: array, items: {type: string}}\n    required: [q]\n---\n{{q}} {{n}} {{tags}} {{z}}';
    const a = analyzePrompt(text);
    assert.deepEqual(a.declared.map((d) => [d.name, d.type, d.optional, d.description]), [
      ['q', 'string', false, 'the question'],
      ['n', 'integer', true, undefined],
      ['tags', 'string[]', true, undefined],
    ]);
    assert.equal(textAt(text, a.declared[0].range!), 'q');
    assert.deepEqual(problems(text, 'undefined-variable').map((p) => textAt(text, p.range)), ['z']);
  });
});

// --- completion, hover, models ---------------------------------------------------------------

void describe('completionContext', () => {
  const text = '---\nmodel: ollama/lla\ndescription: x\n---\nHello {{art}} {{article.ti}}\n{{#each items as |it|}}{{it.}}{{/each}}\n{{!-- {{no --}} {{role "sy"}} {{> par}} plain';

  void test('after model: in the frontmatter, with the value typed so far', () => {
    const ctx = completionContext(text, { line: 1, character: 17 });
    assert.equal(ctx?.kind, 'model');
    assert.equal(ctx.prefix, 'ollama/lla');
    assert.deepEqual(ctx.range, { start: { line: 1, character: 7 }, end: { line: 1, character: 17 } });
    assert.equal(completionContext('---\nmodel: \n---\n', { line: 1, character: 7 })?.prefix, '');
    const quoted = completionContext('---\nmodel: "qw\n---\n', { line: 1, character: 10 });
    assert.equal(quoted?.prefix, 'qw');
    assert.equal(quoted?.range.start.character, 8);
    assert.equal(completionContext(text, { line: 2, character: 14 }), undefined);
    assert.equal(completionContext(text, { line: 1, character: 3 }), undefined);
    assert.equal(completionContext('---\n  model: x\n---\n', { line: 1, character: 10 }), undefined);
  });

  void test('model completion works while the frontmatter is still open', () => {
    assert.equal(completionContext('---\nmodel: ll', { line: 1, character: 9 })?.kind, 'model');
  });

  void test('inside {{ }} in the body: a variable with the path typed so far', () => {
    const a = completionContext(text, { line: 4, character: 11 });
    assert.equal(a?.kind, 'variable');
    assert.equal(a.prefix, 'art');
    assert.deepEqual(a.range, { start: { line: 4, character: 8 }, end: { line: 4, character: 11 } });
    assert.equal(a.kind === 'variable' && a.firstToken, true);
    const b = completionContext(text, { line: 4, character: 26 });
    assert.equal(b?.prefix, 'article.ti');
    const c = completionContext(text, { line: 5, character: 28 });
    assert.equal(c?.prefix, 'it.');
    const empty = completionContext('{{}}', { line: 0, character: 2 });
    assert.equal(empty?.prefix, '');
    const param = completionContext('{{#each it}}', { line: 0, character: 10 });
    assert.equal(param?.kind === 'variable' && param.firstToken, false);
    const mid = completionContext('{{article}}', { line: 0, character: 4 });
    assert.equal(mid?.prefix, 'ar');
    assert.deepEqual(mid?.replaceRange, { start: { line: 0, character: 2 }, end: { line: 0, character: 9 } });
  });

  void test('not in comments, strings, partial names, plain text, or the frontmatter outside model:', () => {
    assert.equal(completionContext(text, { line: 6, character: 11 }), undefined);
    assert.equal(completionContext(text, { line: 6, character: 26 }), undefined);
    assert.equal(completionContext(text, { line: 6, character: 36 }), undefined);
    assert.equal(completionContext(text, { line: 6, character: 44 }), undefined);
    assert.equal(completionContext(text, { line: 4, character: 3 }), undefined);
    assert.equal(completionContext(text, { line: 4, character: 13 }), undefined);
  });

  void test('out-of-range positions and odd text do not throw', () => {
    assert.equal(completionContext(text, { line: 99, character: 0 }), undefined);
    assert.equal(completionContext('', { line: 0, character: 5 }), undefined);
    assert.equal(completionContext('{{', { line: 0, character: 50 })?.prefix, '');
  });
});

void describe('variableAt', () => {
  void test('finds the use under the cursor, including its edges', () => {
    const text = '---\ninput:\n  schema:\n    article(object): {title: string}\n---\nTitle: {{article.title}} {{other}}';
    const a = analyzePrompt(text);
    assert.equal(variableAt(a, { line: 5, character: 9 })?.path, 'article.title');
    assert.equal(variableAt(a, { line: 5, character: 15 })?.name, 'article');
    assert.equal(variableAt(a, { line: 5, character: 22 })?.path, 'article.title');
    assert.equal(variableAt(a, { line: 5, character: 29 })?.name, 'other');
    assert.equal(variableAt(a, { line: 5, character: 3 }), undefined);
    assert.equal(variableAt(a, { line: 1, character: 2 }), undefined);
  });
});

void describe('modelMatches', () => {
  const cases: [string, string, boolean][] = [
    ['ollama/llama3.2', 'llama3.2:latest', true],
    ['llama3.2', 'llama3.2:latest', true],
    ['llama3.2:latest', 'llama3.2', true],
    ['qwen2.5:7b', 'qwen2.5:7b', true],
    ['ollama/qwen2.5:7b', 'qwen2.5:7b', true],
    ['Llama3.2', 'llama3.2:latest', true],
    ['library/llama3.2', 'llama3.2:latest', true],
    ['hf.co/bartowski/Llama-3.2-1B-GGUF:Q4_K_M', 'hf.co/bartowski/Llama-3.2-1B-GGUF:Q4_K_M', true],
    ['mannix/llama3.1-8b', 'mannix/llama3.1-8b:latest', true],
    ['qwen2.5', 'qwen2.5:7b', false],
    ['qwen2.5:14b', 'qwen2.5:7b', false],
    ['llama3', 'llama3.2:latest', false],
    ['openai/llama3.2', 'llama3.2:latest', false],
    ['', 'llama3.2:latest', false],
    ['ollama/', 'llama3.2:latest', false],
  ];
  for (const [written, installed, expected] of cases) {
    void test(`${JSON.stringify(written)} ${expected ? 'matches' : 'does not match'} ${installed}`, () => {
      assert.equal(modelMatches(written, installed), expected);
    });
  }
});

// --- robustness ------------------------------------------------------------------------------

void describe('never throws', () => {
  const fragments = [
    '---', '\n', '\r\n', '\r', ' ', 'model: ', 'ollama/llama3.2', 'input:', '  schema:', '    a: string', '    b(array): {c: string}',
    '    d?(enum): [x]', '  default:', '    a: 1', 'config:', '  temperature: x', '{{', '}}', '{{{', '}}}', '{{#each ', '{{/each}}', '{{#if ',
    '{{/if}}', '{{else}}', 'as |i|', 'a', 'b.c', '../', '@root.', '@index', 'this', '{{!--', '--}}', '{{!', '{{>', 'x=', '(', ')', '"', "'",
    '\uFEFF', '😀', 'é', '~', '[', ']', '#', '*', ':', '-', '{{role "system"}}', '{{json this}}', '&', '\\{{', '{{#*inline "p"}}', '{{/inline}}',
  ];
  const structured = fc.array(fc.constantFrom(...fragments), { maxLength: 60 }).map((parts) => parts.join(''));
  const options: AnalyzeOptions = { knownModels: ['llama3.2:latest'], knownPartials: ['p'] };

  void test('on random strings: valid ranges, and completion/hover anywhere', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), structured), fc.nat(40), fc.nat(80), (text, line, character) => {
        const a = analyzePrompt(text, options);
        assertRangesValid(text, a);
        assert.ok(!a.problems.some((p) => p.code === 'analysis-failed'), JSON.stringify(a.problems));
        completionContext(text, { line, character });
        variableAt(a, { line, character });
      }),
      { numRuns: 1500 },
    );
  });

  void test('on hostile inputs', () => {
    const hostile = [
      '{{#a}}'.repeat(1000),
      '---\n' + 'a: &x [*x]\n' + '---\n',
      '---\nx: *nope\n---\n',
      '---\ninput:\n  schema: [1, 2]\n  default: 3\n---\n',
      '---\ninput:\n  schema:\n    a(enum): 3\n    "(*)": 1\n    7: x\n---\n',
      '---\ninput: 5\nconfig: [1]\noutput: {schema: 3, format: 2}\nmodel: {a: 1}\n---\n',
      '---\n? [complex, key]\n: v\n---\n',
      '\u0000\u0001{{\u0000}}',
      '{{'.repeat(2000),
    ];
    for (const text of hostile) {
      const a = analyzePrompt(text);
      assertRangesValid(text, a);
    }
    assert.doesNotThrow(() => analyzePrompt(undefined as unknown as string));
  });
});

// --- agreement with Dotprompt ----------------------------------------------------------------

void describe('agreement with Dotprompt', () => {
  const specDir = path.resolve(__dirname, '..', '..', '..', 'shared', 'conformance', 'dotprompt-spec');

  interface Suite {
    name: string;
    template: string;
    partials?: Record<string, string>;
    resolverPartials?: Record<string, string>;
    schemas?: Record<string, unknown>;
  }
  function suites(): { file: string; suite: Suite }[] {
    const files = [
      ...readdirSync(specDir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(specDir, f)),
      ...readdirSync(path.join(specDir, 'helpers')).filter((f) => f.endsWith('.yaml')).map((f) => path.join(specDir, 'helpers', f)),
    ];
    return files.flatMap((file) => (parseYaml(readFileSync(file, 'utf8')) as Suite[]).map((suite) => ({ file: path.basename(file), suite })));
  }

  void test('the specification templates have no errors (and only known-key warnings)', { skip: !existsSync(specDir) && 'conformance folder not present' }, () => {
    const all = suites();
    assert.ok(all.length > 50);
    for (const { file, suite } of all) {
      const a = analyzePrompt(suite.template, {
        knownPartials: [...Object.keys(suite.partials ?? {}), ...Object.keys(suite.resolverPartials ?? {})],
        knownSchemas: Object.keys(suite.schemas ?? {}),
      });
      assertRangesValid(suite.template, a);
      const serious = a.problems.filter((p) => p.severity === 'error' || (p.severity === 'warning' && p.code !== 'unknown-frontmatter-key'));
      assert.deepEqual(serious, [], `${file} / ${suite.name}`);
    }
  });

  /** Compares declared variables with the JSON Schema Dotprompt's own Picoschema parser produces. */
  function compareWithJsonSchema(declared: DeclaredVariable[], json: Record<string, unknown>, where: string, descriptions: boolean): void {
    const properties = json.properties as Record<string, Record<string, unknown>>;
    const required = (json.required as string[] | undefined) ?? [];
    assert.deepEqual(declared.map((d) => d.name).sort(), Object.keys(properties).sort(), where);
    for (const d of declared) {
      assert.equal(d.optional, !required.includes(d.name), `${where}.${d.name} optional`);
      const prop = properties[d.name];
      // Named schemas bring their own descriptions, which only the resolver knows.
      if (descriptions && typeof prop.description === 'string') assert.equal(d.description, prop.description, `${where}.${d.name} description`);
      if (prop.properties) compareWithJsonSchema(d.properties ?? [], prop, `${where}.${d.name}`, descriptions);
      const items = prop.items as Record<string, unknown> | undefined;
      if (items?.properties) compareWithJsonSchema(d.items?.properties ?? [], items, `${where}.${d.name}[]`, descriptions);
    }
  }

  void test('declared variables match dotprompt picoschema() on the spec schemas and our own', { skip: !existsSync(specDir) && 'conformance folder not present' }, async () => {
    const schemas: { schema: unknown; named: Record<string, unknown> }[] = [
      { schema: { a: 'string', 'b?': 'number, a number', 'c(array, list of things)': { x: 'string', 'y?': 'boolean' }, 'd(object)': { e: 'any' }, 'f(enum)': ['p', 'q'], 'g?(enum, opt)': ['r'] }, named: {} },
      { schema: { nested: { deeper: { deepest: 'integer, three levels' } }, '(*)': 'string' }, named: {} },
    ];
    for (const { suite } of suites().filter((s) => s.file === 'picoschema.yaml')) {
      const meta = parseYaml(suite.template.replace(/^---\r?\n|---\r?\n?$/g, '')) as { input?: { schema?: unknown }; output?: { schema?: unknown } } | null;
      for (const schema of [meta?.input?.schema, meta?.output?.schema]) if (schema && typeof schema === 'object') schemas.push({ schema, named: suite.schemas ?? {} });
    }
    assert.ok(schemas.length > 8);
    for (const { schema, named } of schemas) {
      const json = (await picoschema(schema, { schemaResolver: (n: string) => named[n] ?? null })) as Record<string, unknown>;
      const text = `---\n${stringifyYaml({ input: { schema } })}---\n`;
      const a = analyzePrompt(text, { knownSchemas: Object.keys(named) });
      assert.deepEqual(a.problems.filter((p) => p.severity === 'error'), [], text);
      if (json?.type === 'object' && json.properties) compareWithJsonSchema(a.declared, json, JSON.stringify(schema), !Object.keys(named).length);
    }
  });

  void test('schemas Dotprompt rejects are errors here too', async () => {
    const bad = [{ a: 'str' }, { 'a(list)': 'string' }, { a: 'array' }];
    for (const schema of bad) {
      await assert.rejects(picoschema(schema));
      const a = analyzePrompt(`---\n${stringifyYaml({ input: { schema } })}---\n`);
      assert.ok(a.problems.some((p) => p.code === 'invalid-schema' && p.severity === 'error'), JSON.stringify(schema));
    }
  });
});
