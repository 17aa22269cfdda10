import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PromptParseError,
  PromptRenderError,
  folderPartialResolver,
  mapOllamaOptions,
  parsePrompt,
  parsePromptWithSchemas,
  renderPrompt,
  toOllamaModelName,
  toOllamaOptions,
} from '../../src/core/prompt';

/** The error a sync or async call throws, asserting it is a `type`. */
function thrown<T extends Error>(type: new (...args: never[]) => T, fn: () => unknown): T {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}, nothing was thrown`);
}
async function rejected<T extends Error>(type: new (...args: never[]) => T, promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}, nothing was thrown`);
}

const tempRoot = mkdtempSync(path.join(tmpdir(), 'prompt-loop-prompt-'));
after(() => rmSync(tempRoot, { recursive: true, force: true }));
function folderWith(name: string, files: Record<string, string>): string {
  const folder = path.join(tempRoot, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), text);
  }
  return folder;
}

void describe('model names', () => {
  void it('strips the ollama/ provider prefix and accepts bare names', () => {
    assert.equal(toOllamaModelName('ollama/llama3.2'), 'llama3.2');
    assert.equal(toOllamaModelName('ollama/qwen2.5:7b'), 'qwen2.5:7b');
    assert.equal(toOllamaModelName('llama3.2'), 'llama3.2');
    assert.equal(toOllamaModelName('llama3.2:1b-instruct-q4_K_M'), 'llama3.2:1b-instruct-q4_K_M');
  });

  void it('keeps namespaced Ollama models and rejects other providers', () => {
    assert.equal(toOllamaModelName('hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF'), 'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF');
    assert.equal(toOllamaModelName('ollama/hf.co/org/model:Q4'), 'hf.co/org/model:Q4');
    assert.equal(toOllamaModelName('someone/custom-model'), 'someone/custom-model');
    assert.equal(toOllamaModelName('googleai/gemini-2.0-flash'), undefined);
    assert.equal(toOllamaModelName('vertexai/gemini-1.0-pro'), undefined);
    assert.equal(toOllamaModelName('openai/gpt-4o'), undefined);
    assert.equal(toOllamaModelName('ollama/'), undefined);
  });

  void it('a prompt for another provider parses with no Ollama model and a problem on the model line', () => {
    const doc = parsePrompt('---\nconfig:\n  temperature: 1\nmodel: googleai/gemini-2.0-flash\n---\nHi');
    assert.equal(doc.rawModel, 'googleai/gemini-2.0-flash');
    assert.equal(doc.model, undefined);
    assert.equal(doc.problems.length, 1);
    assert.equal(doc.problems[0].line, 3);
    assert.match(doc.problems[0].message, /not an Ollama model/);
  });

  void it('frontmatter model names map like toOllamaModelName', async () => {
    assert.equal(parsePrompt('---\nmodel: ollama/llama3.2\n---\nHi').model, 'llama3.2');
    assert.equal(parsePrompt('---\nmodel: llama3.2\n---\nHi').model, 'llama3.2');
    assert.equal((await renderPrompt('---\nmodel: ollama/gemma3:4b\n---\nHi', {})).model, 'gemma3:4b');
    assert.equal((await renderPrompt('Hi', {})).model, undefined);
  });
});

void describe('config → Ollama options', () => {
  void it('renames the Dotprompt keys', () => {
    assert.deepEqual(toOllamaOptions({ temperature: 0.2, maxOutputTokens: 256, topK: 40, topP: 0.9, stopSequences: ['###', 'END'] }), {
      temperature: 0.2,
      num_predict: 256,
      top_k: 40,
      top_p: 0.9,
      stop: ['###', 'END'],
    });
  });

  void it('passes Ollama-native keys through, including unknown snake_case ones', () => {
    const native = { num_ctx: 8192, seed: 42, repeat_penalty: 1.1, min_p: 0.05, mirostat: 2, mirostat_tau: 5, num_gpu: 1, some_future_option: true };
    const mapped = mapOllamaOptions(native);
    assert.deepEqual(mapped.value, native);
    assert.deepEqual(mapped.warnings, []);
  });

  void it('warns about camelCase keys it does not know, and accepts camelCase spellings of Ollama options', () => {
    const mapped = mapOllamaOptions({ temperature: 0.5, safetySettings: [{ x: 1 }], numCtx: 4096, repeatPenalty: 1.2 });
    assert.deepEqual(mapped.value, { temperature: 0.5, num_ctx: 4096, repeat_penalty: 1.2 });
    assert.equal(mapped.warnings.length, 1);
    assert.match(mapped.warnings[0], /^config\.safetySettings /);
  });

  void it('prefers the Ollama-native key when both spellings are set, and says so', () => {
    const mapped = mapOllamaOptions({ num_predict: 100, maxOutputTokens: 50 });
    assert.deepEqual(mapped.value, { num_predict: 100 });
    assert.match(mapped.warnings.join('\n'), /maxOutputTokens and config\.num_predict/);
  });

  void it('checks value types: a single stop string becomes a list, a quoted number is refused', () => {
    const mapped = mapOllamaOptions({ stopSequences: 'END', temperature: '0.7', seed: null });
    assert.deepEqual(mapped.value, { stop: ['END'] });
    assert.equal(mapped.warnings.length, 1);
    assert.match(mapped.warnings[0], /config\.temperature must be a number/);
  });

  void it('config warnings of a file point at the offending key', () => {
    const doc = parsePrompt('---\nmodel: llama3.2\nconfig:\n  temperature: 0.1\n  safetySettings: []\n---\nHi');
    assert.deepEqual(doc.problems.map((p) => p.line), [4]);
    assert.deepEqual(doc.config, { temperature: 0.1, safetySettings: [] });
  });

  void it('a rendered prompt carries the mapped options', async () => {
    const r = await renderPrompt('---\nconfig:\n  temperature: 0\n  maxOutputTokens: 64\n  num_ctx: 2048\n---\nHi', {});
    assert.deepEqual(r.options, { temperature: 0, num_predict: 64, num_ctx: 2048 });
    assert.deepEqual(r.warnings, []);
  });
});

void describe('roles and messages', () => {
  void it('maps system/user/model to system/user/assistant', async () => {
    const r = await renderPrompt('{{role "system"}}You are terse.\n{{role "user"}}Say hi to {{name}}.\n{{role "model"}}Hi.\n{{role "user"}}Again.', { name: 'Ada' });
    assert.deepEqual(r.messages, [
      { role: 'system', content: 'You are terse.\n' },
      { role: 'user', content: 'Say hi to Ada.\n' },
      { role: 'assistant', content: 'Hi.\n' },
      { role: 'user', content: 'Again.' },
    ]);
    assert.deepEqual(r.dotprompt.messages.map((m) => m.role), ['system', 'user', 'model', 'user']);
  });

  void it('a body without role markers is one user message', async () => {
    const r = await renderPrompt('---\nmodel: llama3.2\n---\nSummarize: {{text}}', { text: 'a <b>tag</b> & more' });
    assert.deepEqual(r.messages, [{ role: 'user', content: 'Summarize: a <b>tag</b> & more' }]);
  });

  void it('concatenates the text parts of a message and sends data: images as base64', async () => {
    const png = 'iVBORw0KGgo=';
    const r = await renderPrompt('Before {{media url=img}} after {{section "x"}}end', { img: `data:image/png;base64,${png}` });
    assert.equal(r.dotprompt.messages[0].content.length, 5);
    assert.deepEqual(r.messages, [{ role: 'user', content: 'Before  after end', images: [png] }]);
    assert.deepEqual(r.warnings, []);
  });

  void it('reports media it cannot send instead of sending it', async () => {
    const r = await renderPrompt('Look: {{media url=u}}', { u: 'https://example.com/cat.png' });
    assert.deepEqual(r.messages, [{ role: 'user', content: 'Look: ' }]);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /https:\/\/example\.com\/cat\.png.*data: URL/);
    const audio = await renderPrompt('{{media url=u}}', { u: 'data:audio/mpeg;base64,AAAA' });
    assert.match(audio.warnings.join('\n'), /audio\/mpeg/);
  });

  void it('history goes where Dotprompt puts it, with model turns as assistant', async () => {
    const r = await renderPrompt('{{role "system"}}Be brief.\n{{history}}\n{{role "user"}}{{question}}', { question: 'And now?' }, {
      messages: [
        { role: 'user', content: [{ text: 'Hello' }] },
        { role: 'model', content: [{ text: 'Hi there!' }] },
      ],
    });
    assert.deepEqual(r.messages, [
      { role: 'system', content: 'Be brief.\n' },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi there!' },
      { role: 'user', content: 'And now?' },
    ]);
  });

  void it('context entries are @ variables', async () => {
    const r = await renderPrompt('Count {{@state.count}} for {{@user.name}}', {}, { context: { state: { count: 3 }, user: { name: 'Bo' } } });
    assert.equal(r.messages[0].content, 'Count 3 for Bo');
  });

  void it('warns on roles Ollama does not take', async () => {
    const r = await renderPrompt('{{role "assistant"}}ok{{role "tool"}}result', {});
    assert.deepEqual(r.messages.map((m) => m.role), ['assistant', 'user']);
    assert.equal(r.warnings.length, 2);
  });
});

void describe('output → format', () => {
  void it('a picoschema output becomes its JSON schema', async () => {
    const r = await renderPrompt('---\noutput:\n  schema:\n    title: string, a short title\n    tags?(array): string\n---\nGo', {});
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: { title: { type: 'string', description: 'a short title' }, tags: { type: ['array', 'null'], items: { type: 'string' } } },
      required: ['title'],
    };
    assert.deepEqual(r.format, schema);
    assert.deepEqual(r.doc.outputSchema, schema);
  });

  void it('a picoschema without required fields leaves no undefined holes in the format', async () => {
    const r = await renderPrompt('---\noutput:\n  schema:\n    note?: string\n---\nGo', {});
    assert.deepEqual(r.format, { type: 'object', additionalProperties: false, properties: { note: { type: ['string', 'null'] } } });
    assert.ok(!('required' in (r.format as object)));
  });

  void it('a JSON schema output is used as written', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    const r = await renderPrompt(`---\noutput:\n  format: json\n  schema: ${JSON.stringify(schema)}\n---\nGo`, {});
    assert.deepEqual(r.format, schema);
    assert.equal(r.doc.outputFormat, 'json');
  });

  void it('format json without a schema is "json"; text and nothing need no format', async () => {
    assert.equal((await renderPrompt('---\noutput:\n  format: json\n---\nGo', {})).format, 'json');
    assert.equal((await renderPrompt('---\noutput:\n  format: text\n---\nGo', {})).format, undefined);
    assert.equal((await renderPrompt('Go', {})).format, undefined);
  });

  void it('a schema with format text is ignored, with a warning', async () => {
    const r = await renderPrompt('---\noutput:\n  format: text\n  schema:\n    a: string\n---\nGo', {});
    assert.equal(r.format, undefined);
    assert.match(r.warnings.join('\n'), /ignored because output\.format is text/);
  });

  void it('a picoschema mistake is a PromptParseError at the schema line', async () => {
    const error = await rejected(PromptParseError, renderPrompt('---\nmodel: llama3.2\noutput:\n  schema:\n    a: strng\n---\nGo', {}));
    assert.equal(error.line, 3);
    assert.match(error.message, /strng/);
  });

  void it('parsePrompt keeps schemas as written; parsePromptWithSchemas converts them', async () => {
    const source = '---\ninput:\n  schema:\n    topic: string\n---\n{{topic}}';
    const doc = parsePrompt(source);
    assert.equal(doc.schemasResolved, false);
    assert.equal(doc.inputSchema, undefined);
    assert.deepEqual(doc.inputSchemaSource, { topic: 'string' });
    const resolved = await parsePromptWithSchemas(source);
    assert.equal(resolved.schemasResolved, true);
    assert.deepEqual(resolved.inputSchema, { type: 'object', additionalProperties: false, properties: { topic: { type: 'string' } }, required: ['topic'] });
  });

  void it('warns about required inputs that were not given', async () => {
    const r = await renderPrompt('---\ninput:\n  schema:\n    topic: string\n---\n{{topic}}', {});
    assert.match(r.warnings.join('\n'), /Input "topic" is required/);
  });
});

void describe('input defaults', () => {
  void it('frontmatter defaults are rendered and merged under the given input', async () => {
    const source = '---\ninput:\n  default:\n    name: World\n    tone: dry\n---\nHello {{name}}, in a {{tone}} tone.';
    const plain = await renderPrompt(source, {});
    assert.equal(plain.messages[0].content, 'Hello World, in a dry tone.');
    assert.deepEqual(plain.input, { name: 'World', tone: 'dry' });
    const given = await renderPrompt(source, { name: 'Ada' });
    assert.equal(given.messages[0].content, 'Hello Ada, in a dry tone.');
    assert.deepEqual(given.input, { name: 'Ada', tone: 'dry' });
    assert.deepEqual(parsePrompt(source).inputDefaults, { name: 'World', tone: 'dry' });
  });
});

void describe('frontmatter parsing', () => {
  void it('invalid YAML is a PromptParseError at the right 0-based line', () => {
    const error = thrown(PromptParseError, () => parsePrompt('---\nmodel: llama3.2\nconfig:\n  temperature: [0.2\n---\nHi'));
    // The unclosed [ is reported at the end of its line: line 3, column 19.
    assert.deepEqual([error.line, error.column], [3, 19]);
    const dup = thrown(PromptParseError, () => parsePrompt('---\nmodel: a\nconfig: {}\nmodel: b\n---\nHi'));
    assert.equal(dup.line, 3);
    assert.match(dup.message, /unique/);
    const tab = thrown(PromptParseError, () => parsePrompt('---\nmodel: llama3.2\nconfig:\n\ttemperature: 1\n---\nHi'));
    assert.equal(tab.line, 3);
  });

  void it('invalid YAML also stops renderPrompt', async () => {
    const error = await rejected(PromptParseError, renderPrompt('---\nmodel: : x\n---\nHi', {}));
    assert.equal(error.line, 1);
  });

  void it('an unclosed frontmatter is an error on line 0, not prompt text', () => {
    const error = thrown(PromptParseError, () => parsePrompt('---\nmodel: llama3.2\nHello'));
    assert.equal(error.line, 0);
    assert.match(error.message, /never closed/);
  });

  void it('a frontmatter that is not a mapping, or a mistyped reserved key, is an error', () => {
    assert.equal(thrown(PromptParseError, () => parsePrompt('---\n- a\n- b\n---\nHi')).line, 1);
    assert.equal(thrown(PromptParseError, () => parsePrompt('---\nmodel: [a]\n---\nHi')).line, 1);
    assert.equal(thrown(PromptParseError, () => parsePrompt('---\nmodel: x\nconfig: 3\n---\nHi')).line, 2);
  });

  void it('a file without frontmatter is all template', async () => {
    const doc = parsePrompt('Hello {{name}}!\n');
    assert.equal(doc.template, 'Hello {{name}}!\n');
    assert.equal(doc.hasFrontmatter, false);
    assert.equal(doc.model, undefined);
    assert.deepEqual(doc.config, {});
    assert.deepEqual(doc.problems, []);
    assert.deepEqual((await renderPrompt('Hello {{name}}!\n', { name: 'A' })).messages, [{ role: 'user', content: 'Hello A!\n' }]);
  });

  void it('CRLF files parse and render exactly like LF files', async () => {
    const lf = '---\nmodel: ollama/llama3.2\nconfig:\n  temperature: 0.3\n---\n{{role "system"}}Be kind.\nLine two.\n{{role "user"}}{{q}}\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    assert.deepEqual(parsePrompt(crlf), parsePrompt(lf));
    assert.deepEqual((await renderPrompt(crlf, { q: 'Why?' })).messages, (await renderPrompt(lf, { q: 'Why?' })).messages);
    assert.ok(!JSON.stringify((await renderPrompt(crlf, { q: 'x' })).messages).includes('\\r'));
    assert.equal(thrown(PromptParseError, () => parsePrompt('---\r\nmodel: a\r\nconfig: [\r\n---\r\nHi')).line, 2);
  });

  void it('a UTF-8 BOM does not hide the frontmatter', () => {
    const doc = parsePrompt('\uFEFF---\nmodel: ollama/llama3.2\n---\nHi');
    assert.equal(doc.model, 'llama3.2');
    assert.equal(doc.template, 'Hi');
  });

  void it('an empty body renders no messages', async () => {
    const r = await renderPrompt('---\nmodel: llama3.2\n---\n', {});
    assert.equal(r.doc.template, '');
    assert.deepEqual(r.messages, []);
    assert.deepEqual((await renderPrompt('', {})).messages, []);
  });

  void it('an empty frontmatter, or one closed at end of file, is still a frontmatter', async () => {
    const empty = await renderPrompt('---\n---\nHello', {});
    assert.deepEqual(empty.messages, [{ role: 'user', content: 'Hello' }]);
    const noNewline = parsePrompt('---\nmodel: llama3.2\n---');
    assert.equal(noNewline.model, 'llama3.2');
    assert.equal(noNewline.template, '');
  });

  void it('the template line is where the body starts in the file', () => {
    assert.equal(parsePrompt('---\nmodel: a\n---\n\n\nHello').templateLine, 5);
    assert.equal(parsePrompt('Hello').templateLine, 0);
  });

  void it('warns about keys Dotprompt ignores, at their line', () => {
    const doc = parsePrompt('---\nmodel: llama3.2\ntemperature: 0.2\ncolour: blue\n---\nHi');
    assert.deepEqual(doc.problems.map((p) => p.line), [2, 3]);
    assert.match(doc.problems[0].message, /config\.temperature/);
    assert.deepEqual(doc.raw, { model: 'llama3.2', temperature: 0.2, colour: 'blue' });
  });

  void it('a frontmatter below the first line is flagged', () => {
    const doc = parsePrompt('\n---\nmodel: x\n---\nHi');
    assert.equal(doc.hasFrontmatter, false);
    assert.equal(doc.problems[0].line, 1);
  });

  void it('namespaced keys land in ext the way Dotprompt splits them', () => {
    const doc = parsePrompt(
      '---\nmodel: llama3.2\npromptLoop.cases: ./summarize.cases.yaml\npromptLoop.sweep.repeats: 3\nother.tool.flag: true\n---\nHi',
    );
    assert.deepEqual(doc.ext, {
      promptLoop: { cases: './summarize.cases.yaml' },
      'promptLoop.sweep': { repeats: 3 },
      'other.tool': { flag: true },
    });
    assert.deepEqual(doc.problems, []);
  });

  void it('a nested promptLoop map is folded into ext.promptLoop, dotted keys winning', () => {
    const doc = parsePrompt('---\npromptLoop:\n  cases: ./a.yaml\n  judge: llama3.2\npromptLoop.cases: ./b.yaml\n---\nHi');
    assert.deepEqual(doc.ext.promptLoop, { cases: './b.yaml', judge: 'llama3.2' });
    assert.deepEqual(doc.problems, []);
  });

  void it('name, description, variant and version are kept', () => {
    const doc = parsePrompt('---\nname: summarize\nvariant: concise\ndescription: Summaries\nversion: 2\n---\nHi');
    assert.deepEqual([doc.name, doc.variant, doc.description, doc.version], ['summarize', 'concise', 'Summaries', '2']);
    const odd = parsePrompt('---\nname: [a]\n---\nHi');
    assert.equal(odd.name, undefined);
    assert.equal(odd.problems[0].line, 1);
  });
});

void describe('template errors', () => {
  void it('a Handlebars syntax error points at the file line', async () => {
    const error = await rejected(PromptRenderError, renderPrompt('---\nmodel: llama3.2\n---\nLine one\n{{#if x}}\nno end', {}));
    // Handlebars reports the end of the template, where the block is still open.
    assert.equal(error.line, 5);
    assert.match(error.message, /syntax error/);
  });

  void it('an unterminated comment (a lexical error) points at the file line too', async () => {
    const error = await rejected(PromptRenderError, renderPrompt('---\nmodel: a\n---\n\nHi {{!-- note', {}));
    assert.equal(error.line, 4);
  });

  void it('an unknown helper names the helpers that exist', async () => {
    const error = await rejected(PromptRenderError, renderPrompt('---\nmodel: a\n---\nHi\n{{shout name}}', {}));
    assert.equal(error.line, 4);
    assert.match(error.message, /Unknown helper "shout".*ifEquals/);
  });
});

void describe('partials', () => {
  void it('reads partial foo from _foo.prompt in the prompt folder, and common/bar from common/_bar.prompt', async () => {
    const folder = folderWith('basic', { '_persona.prompt': 'You are {{who}}.', 'common/_rules.prompt': 'Rules!\r\n' });
    const r = await renderPrompt('{{role "system"}}{{> persona who="a critic"}} {{> common/rules}}{{role "user"}}{{text}}', { text: 'Go' }, { resolvePartial: folderPartialResolver(folder) });
    assert.deepEqual(r.messages, [
      { role: 'system', content: 'You are a critic. Rules!\n' },
      { role: 'user', content: 'Go' },
    ]);
  });

  void it('a missing partial is a PromptRenderError naming the file to create', async () => {
    const folder = folderWith('missing', {});
    const error = await rejected(PromptRenderError, renderPrompt('---\nmodel: a\n---\nHi\n{{> footer}}', {}, { resolvePartial: folderPartialResolver(folder) }));
    assert.equal(error.partial, 'footer');
    assert.equal(error.line, 4);
    assert.match(error.message, /_footer\.prompt/);
  });

  void it('partials never leak between folders or go stale, even when renders overlap', async () => {
    const a = folderWith('iso-a', { '_sig.prompt': 'from A' });
    const b = folderWith('iso-b', { '_sig.prompt': 'from B' });
    const render = (folder: string) => renderPrompt('{{> sig}}', {}, { resolvePartial: folderPartialResolver(folder) });
    const results = await Promise.all([render(a), render(b), render(a), render(b)]);
    assert.deepEqual(results.map((r) => r.messages[0].content), ['from A', 'from B', 'from A', 'from B']);
    writeFileSync(path.join(a, '_sig.prompt'), 'edited A');
    assert.equal((await render(a)).messages[0].content, 'edited A');
    await rejected(PromptRenderError, renderPrompt('{{> sig}}', {}));
  });

  void it('an empty partial file renders as nothing rather than "not found"', async () => {
    const folder = folderWith('empty', { '_blank.prompt': '' });
    const r = await renderPrompt('a{{> blank}}b', {}, { resolvePartial: folderPartialResolver(folder) });
    assert.equal(r.messages[0].content, 'ab');
  });

  void it('the folder resolver stays inside its folder', async () => {
    const folder = folderWith('jail/inner', {});
    folderWith('jail', { '_secret.prompt': 'outside' });
    const resolve = folderPartialResolver(folder);
    assert.equal(await resolve('../secret'), undefined);
    assert.equal(await resolve('/etc/passwd'), undefined);
    assert.equal(await resolve('nope'), undefined);
  });

  void it('static partials and a lookup function work without files', async () => {
    const r = await renderPrompt('{{> a}} {{> b}}', {}, { partials: { a: 'A' }, resolvePartial: (name) => (name === 'b' ? 'B' : undefined) });
    assert.equal(r.messages[0].content, 'A B');
  });
});
