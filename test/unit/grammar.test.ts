/**
 * The Dotprompt TextMate grammar, language configuration and snippets.
 *
 * vscode-textmate and vscode-oniguruma are not dependencies, so the grammar runs here on a small
 * TextMate interpreter over JS regexes (begin/end, begin/while, match, captures with patterns,
 * includes, \A and \G). Every regex must also compile as a JS RegExp, which keeps the grammar to
 * the syntax both engines share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzePrompt } from '../../src/core/analysis';

const languageDir = path.join(__dirname, '..', '..', 'media', 'language');

interface Capture {
  name?: string;
  patterns?: Rule[];
}
interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  captures?: Record<string, Capture>;
  beginCaptures?: Record<string, Capture>;
  endCaptures?: Record<string, Capture>;
  patterns?: Rule[];
  include?: string;
  applyEndPatternLast?: number | boolean;
}
interface Grammar extends Rule {
  scopeName: string;
  repository: Record<string, Rule>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(languageDir, file), 'utf8')) as T;
}

const grammar = readJson<Grammar>('dotprompt.tmLanguage.json');

/** An Oniguruma source as a JS RegExp: \A becomes ^ on the first line (never elsewhere); a leading \G means "at the anchor". */
function compile(source: string, firstLine: boolean): { re: RegExp; anchored: boolean } {
  let out = '';
  let anchored = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = source[i + 1];
    if (next === 'A') out += firstLine ? '^' : '(?!)';
    else if (next === 'G') {
      assert.equal(out, '', `\\G only at the start of a pattern: ${source}`);
      anchored = true;
    } else if ('zZhHKRX'.includes(next) || (next === 'x' && source[i + 2] === '{')) {
      throw new Error(`Oniguruma-only escape \\${next} in ${source}`);
    } else out += c + next;
    i++;
  }
  return { re: new RegExp(out, anchored ? 'dym' : 'dgm'), anchored };
}

type Scopes = string[][];

interface Frame {
  rule: Rule;
  /** Scopes of the rule's own tokens (begin/end). */
  scopes: string[];
  /** Scopes of what is inside (plus contentName). */
  inner: string[];
  anchor: number;
  anchorLine: number;
}

class MiniTextMate {
  constructor(private readonly g: Grammar) {}

  private resolve(rules: readonly Rule[] | undefined, seen = new Set<Rule>()): Rule[] {
    const out: Rule[] = [];
    for (const rule of rules ?? []) {
      if (rule.include) {
        if (rule.include === '$self') out.push(...this.resolve(this.g.patterns, seen));
        else if (rule.include.startsWith('#')) {
          const target = this.g.repository[rule.include.slice(1)];
          assert.ok(target, `include ${rule.include} exists`);
          if (seen.has(target)) continue;
          seen.add(target);
          out.push(...(target.match || target.begin ? [target] : this.resolve(target.patterns, seen)));
          seen.delete(target);
        }
        // Other grammars (source.yaml) are not available here: their text stays in the content scope.
      } else if (rule.match || rule.begin) out.push(rule);
      else out.push(...this.resolve(rule.patterns, seen));
    }
    return out;
  }

  tokenize(text: string): Scopes[] {
    const lines = text.split('\n');
    const stack: Frame[] = [{ rule: this.g, scopes: [this.g.scopeName], inner: [this.g.scopeName], anchor: -1, anchorLine: -1 }];
    const result: Scopes[] = [];
    lines.forEach((raw, lineNo) => {
      const line = raw + '\n';
      const scopes: Scopes = Array.from({ length: line.length }, () => []);
      // begin/while rules end where their while condition fails at the start of a line.
      for (let i = 1; i < stack.length; i++) {
        const w = stack[i].rule.while;
        if (w === undefined) continue;
        const { re } = compile(w, lineNo === 0);
        re.lastIndex = 0;
        const m = re.exec(line);
        if (!m || m.index !== 0) {
          stack.length = i;
          break;
        }
      }
      let pos = 0;
      for (let guard = 0; guard < 10_000; guard++) {
        const frame = stack[stack.length - 1];
        const candidates = this.resolve(frame.rule.patterns);
        let best: { m: RegExpExecArray; rule?: Rule; isEnd: boolean } | undefined;
        const tryRegex = (source: string, rule: Rule | undefined, isEnd: boolean): void => {
          const { re, anchored } = compile(source, lineNo === 0);
          if (anchored) {
            if (frame.anchorLine !== lineNo || frame.anchor < pos) return;
            re.lastIndex = frame.anchor;
          } else re.lastIndex = pos;
          const m = re.exec(line);
          if (!m) return;
          if (!best || m.index < best.m.index) best = { m, rule, isEnd };
        };
        const endFirst = frame.rule.end !== undefined && !frame.rule.applyEndPatternLast;
        if (endFirst) tryRegex(frame.rule.end!, undefined, true);
        for (const rule of candidates) tryRegex((rule.match ?? rule.begin)!, rule, false);
        if (frame.rule.end !== undefined && !endFirst) {
          const before = best;
          tryRegex(frame.rule.end, undefined, true);
          if (before && best && best.isEnd && best.m.index === before.m.index) best = before;
        }
        if (!best) {
          for (let i = pos; i < line.length; i++) scopes[i].push(...frame.inner);
          break;
        }
        const { m, rule, isEnd } = best;
        const end = m.index + m[0].length;
        for (let i = pos; i < m.index; i++) scopes[i].push(...frame.inner);
        if (isEnd) {
          this.paint(scopes, m, frame.scopes, frame.rule.endCaptures ?? frame.rule.captures, line);
          stack.pop();
        } else if (rule!.match !== undefined) {
          const base = rule!.name ? [...frame.inner, rule!.name] : frame.inner;
          this.paint(scopes, m, base, rule!.captures, line);
        } else {
          const base = rule!.name ? [...frame.inner, rule!.name] : frame.inner;
          this.paint(scopes, m, base, rule!.beginCaptures ?? rule!.captures, line);
          stack.push({ rule: rule!, scopes: base, inner: rule!.contentName ? [...base, rule!.contentName] : base, anchor: end, anchorLine: lineNo });
        }
        if (end === pos && rule?.match !== undefined) {
          // A zero-width match would loop forever: take one character as content.
          scopes[pos]?.push(...frame.inner);
          pos++;
        } else pos = end;
        if (pos >= line.length) break;
      }
      result.push(scopes.slice(0, raw.length));
    });
    return result;
  }

  private paint(scopes: Scopes, m: RegExpExecArray, base: string[], captures: Record<string, Capture> | undefined, line: string): void {
    for (let i = m.index; i < m.index + m[0].length; i++) scopes[i].push(...base);
    if (!captures) return;
    for (const [key, capture] of Object.entries(captures)) {
      const span = m.indices?.[Number(key)];
      if (!span) continue;
      const [s, e] = span;
      if (capture.name) for (let i = s; i < e; i++) scopes[i].push(capture.name);
      if (capture.patterns) {
        const rules = this.resolve(capture.patterns);
        let p = s;
        while (p < e) {
          let best: { m: RegExpExecArray; rule: Rule } | undefined;
          for (const rule of rules) {
            const { re } = compile(rule.match!, false);
            re.lastIndex = p;
            const sub = re.exec(line.slice(0, e));
            if (sub && (!best || sub.index < best.m.index)) best = { m: sub, rule };
          }
          if (!best || best.m[0].length === 0) break;
          this.paint(scopes, best.m, best.rule.name ? [best.rule.name] : [], best.rule.captures, line);
          p = best.m.index + best.m[0].length;
        }
      }
    }
  }
}

const engine = new MiniTextMate(grammar);

/** Scopes at every character of `needle` (the `nth` occurrence) on `line`; asserts they are the same throughout. */
function scopesOf(tokens: Scopes[], lines: string[], lineNo: number, needle: string, nth = 0): string[] {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = lines[lineNo].indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} on line ${lineNo}`);
  const first = tokens[lineNo][at];
  for (let i = at; i < at + needle.length; i++) assert.deepEqual(tokens[lineNo][i], first, `uniform scopes over ${needle} in "${lines[lineNo]}"`);
  return first;
}

function has(scopes: string[], prefix: string): boolean {
  return scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));
}

function allRules(g: Grammar): Rule[] {
  const out: Rule[] = [];
  const walk = (r: Rule | undefined): void => {
    if (!r) return;
    out.push(r);
    for (const p of r.patterns ?? []) walk(p);
    for (const caps of [r.captures, r.beginCaptures, r.endCaptures]) for (const c of Object.values(caps ?? {})) for (const p of c.patterns ?? []) walk(p);
  };
  walk(g);
  for (const r of Object.values(g.repository)) walk(r);
  return out;
}

void test('grammar: every include resolves and every regex compiles as a JS RegExp', () => {
  assert.equal(grammar.scopeName, 'source.dotprompt');
  for (const rule of allRules(grammar)) {
    if (rule.include?.startsWith('#')) assert.ok(grammar.repository[rule.include.slice(1)], `missing repository entry ${rule.include}`);
    for (const source of [rule.match, rule.begin, rule.end, rule.while]) {
      if (source === undefined) continue;
      assert.doesNotThrow(() => compile(source, true), `regex compiles: ${source}`);
    }
  }
});

void test('grammar: frontmatter is embedded YAML, body starts after the closing fence', () => {
  const text = '---\nmodel: ollama/llama3.2\nconfig:\n  temperature: 0.7\n---\nHello {{name}}';
  const lines = text.split('\n');
  const t = engine.tokenize(text);
  assert.ok(has(scopesOf(t, lines, 0, '---'), 'punctuation.definition.frontmatter.begin'));
  assert.ok(has(scopesOf(t, lines, 1, 'model'), 'meta.embedded.block.frontmatter'));
  assert.ok(has(scopesOf(t, lines, 3, 'temperature'), 'meta.embedded.block.frontmatter'));
  const fence = scopesOf(t, lines, 4, '---');
  assert.ok(has(fence, 'punctuation.definition.frontmatter.end'));
  assert.ok(!has(fence, 'meta.embedded.block.frontmatter'));
  assert.deepEqual(scopesOf(t, lines, 5, 'Hello'), ['source.dotprompt']);
  assert.ok(has(scopesOf(t, lines, 5, 'name'), 'variable.other.readwrite'));
});

void test('grammar: --- later in the body is text, not frontmatter', () => {
  const text = 'Intro\n---\nmodel: x\n---\n';
  const t = engine.tokenize(text);
  const lines = text.split('\n');
  assert.deepEqual(scopesOf(t, lines, 2, 'model: x'), ['source.dotprompt']);
});

void test('grammar: Dotprompt markers are keyword.control, roles are tagged', () => {
  const text = '{{role "system"}}\n{{history}}\n{{section "output"}}\n{{media url=imageUrl}}';
  const lines = text.split('\n');
  const t = engine.tokenize(text);
  assert.ok(has(scopesOf(t, lines, 0, 'role'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 0, 'system'), 'entity.name.tag.role'));
  assert.ok(has(scopesOf(t, lines, 0, '"', 0), 'string.quoted.double'));
  assert.ok(has(scopesOf(t, lines, 1, 'history'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 2, 'section'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 2, 'output'), 'string.quoted.double'));
  assert.ok(has(scopesOf(t, lines, 3, 'media'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 3, 'url'), 'entity.other.attribute-name'));
  assert.ok(has(scopesOf(t, lines, 3, 'imageUrl'), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 0, '{{'), 'punctuation.definition.tag.begin'));
  assert.ok(has(scopesOf(t, lines, 0, '}}'), 'punctuation.definition.tag.end'));
});

void test('grammar: a variable named like a marker is not a marker', () => {
  const text = '{{roles}} {{history.last}}';
  const t = engine.tokenize(text);
  const lines = [text];
  assert.ok(!has(scopesOf(t, lines, 0, 'roles'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 0, 'roles'), 'variable.other.readwrite'));
});

void test('grammar: blocks, else, block params, @data, this, parent paths', () => {
  const text = [
    '{{#each items as |item idx|}}',
    '- {{item.title}} ({{@index}}) {{this}} {{../tone}}',
    '{{else}}',
    'none',
    '{{/each}}',
    '{{#if a}}x{{else if b}}y{{/if}}',
    '{{#ifEquals tone "short"}}s{{/ifEquals}}',
    '{{#custom arg}}z{{/custom}}',
    '{{^}}',
  ].join('\n');
  const lines = text.split('\n');
  const t = engine.tokenize(text);
  assert.ok(has(scopesOf(t, lines, 0, 'each'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 0, 'items'), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 0, 'as'), 'keyword.control.as'));
  assert.ok(has(scopesOf(t, lines, 0, 'item idx'), 'variable.parameter'));
  assert.ok(has(scopesOf(t, lines, 1, 'item'), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 1, 'title'), 'variable.other.property'));
  assert.ok(has(scopesOf(t, lines, 1, '.'), 'punctuation.accessor'));
  assert.ok(has(scopesOf(t, lines, 1, '@index'), 'variable.language.data'));
  assert.ok(has(scopesOf(t, lines, 1, 'this'), 'variable.language.this'));
  assert.ok(has(scopesOf(t, lines, 1, '../'), 'variable.language.parent'));
  assert.ok(has(scopesOf(t, lines, 1, 'tone'), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 2, 'else'), 'keyword.control.else'));
  assert.deepEqual(scopesOf(t, lines, 3, 'none'), ['source.dotprompt']);
  assert.ok(has(scopesOf(t, lines, 4, 'each'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 4, '/'), 'punctuation.definition.block.end'));
  assert.ok(has(scopesOf(t, lines, 5, 'else'), 'keyword.control.else'));
  assert.ok(has(scopesOf(t, lines, 5, 'if', 1), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 6, 'ifEquals'), 'keyword.control'));
  assert.ok(has(scopesOf(t, lines, 6, 'short'), 'string.quoted.double'));
  assert.ok(has(scopesOf(t, lines, 7, 'custom'), 'entity.name.function.block'));
  assert.deepEqual(scopesOf(t, lines, 7, 'z'), ['source.dotprompt']);
  assert.ok(has(scopesOf(t, lines, 8, '^'), 'keyword.control.else'));
});

void test('grammar: comments, also across lines, hide mustaches inside', () => {
  const text = '{{!-- a {{name}}\nstill comment --}} after {{! short }}';
  const lines = text.split('\n');
  const t = engine.tokenize(text);
  assert.ok(has(scopesOf(t, lines, 0, 'name'), 'comment.block'));
  assert.ok(has(scopesOf(t, lines, 1, 'still comment'), 'comment.block'));
  assert.deepEqual(scopesOf(t, lines, 1, 'after'), ['source.dotprompt']);
  assert.ok(has(scopesOf(t, lines, 1, 'short'), 'comment.block'));
});

void test('grammar: helpers with arguments, hash params, literals, subexpressions, partials, triple-stash', () => {
  const text = '{{json data indent=2}} {{lookup obj "k"}} {{summarize text max=3 strict=true}} {{json (lookup a "b")}} {{> shared/header title=name}} {{{raw}}} {{~name~}} \\{{literal}}';
  const lines = [text];
  const t = engine.tokenize(text);
  assert.ok(has(scopesOf(t, lines, 0, 'json'), 'support.function.builtin'));
  assert.ok(has(scopesOf(t, lines, 0, 'data'), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 0, 'indent'), 'entity.other.attribute-name'));
  assert.ok(has(scopesOf(t, lines, 0, '2'), 'constant.numeric'));
  assert.ok(has(scopesOf(t, lines, 0, 'lookup'), 'support.function.builtin'));
  assert.ok(has(scopesOf(t, lines, 0, 'summarize'), 'entity.name.function.helper'));
  assert.ok(has(scopesOf(t, lines, 0, '3'), 'constant.numeric'));
  assert.ok(has(scopesOf(t, lines, 0, 'true'), 'constant.language'));
  assert.ok(has(scopesOf(t, lines, 0, 'lookup', 1), 'meta.subexpression'));
  assert.ok(has(scopesOf(t, lines, 0, 'lookup', 1), 'support.function.builtin'));
  assert.ok(has(scopesOf(t, lines, 0, '>'), 'keyword.operator.partial'));
  assert.ok(has(scopesOf(t, lines, 0, 'shared/header'), 'entity.name.tag.partial'));
  assert.ok(has(scopesOf(t, lines, 0, 'title'), 'entity.other.attribute-name'));
  assert.ok(has(scopesOf(t, lines, 0, 'raw'), 'meta.tag.unescaped'));
  assert.ok(has(scopesOf(t, lines, 0, 'raw'), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 0, 'name', 0), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 0, 'name', 1), 'variable.other.readwrite'));
  assert.ok(has(scopesOf(t, lines, 0, '\\{{literal}}'), 'constant.character.escape'));
  assert.ok(!has(scopesOf(t, lines, 0, 'literal'), 'variable.other.readwrite'));
});

void test('grammar: plain prose with single braces and quotes stays plain', () => {
  const text = "Don't return {json} or \"quotes\"; use a { brace }.";
  const t = engine.tokenize(text);
  for (const scopes of t[0]) assert.deepEqual(scopes, ['source.dotprompt']);
});

void test('language configuration: block comments, {{ }} brackets, folding markers, dotted-path words', () => {
  const config = readJson<{
    comments: { blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    folding: { markers: { start: string; end: string } };
    wordPattern: string;
  }>('language-configuration.json');
  assert.deepEqual(config.comments.blockComment, ['{{!--', '--}}']);
  assert.ok(config.brackets.some(([o, c]) => o === '{{' && c === '}}'));
  assert.ok(config.autoClosingPairs.some((p) => p.open === '{' && p.close === '}'));
  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  assert.ok(start.test('{{#each items}}') && start.test('  {{~#if x}}') && start.test('{{!-- #region cases --}}'));
  assert.ok(!start.test('{{name}}'));
  assert.ok(end.test('{{/each}}') && end.test('{{!-- #endregion --}}'));
  const word = new RegExp(config.wordPattern, 'g');
  assert.deepEqual('{{article.title}} and @index, ../tone.'.match(word), ['article.title', 'and', '@index', '../tone']);
  assert.deepEqual('model: ollama/llama3.2:latest'.match(word), ['model', 'ollama/llama3.2:latest']);
  assert.ok(!start.test('{{#if a}}x{{/if}}'), 'a block closed on its own line does not fold');
});

void test('snippets: valid bodies with prefixes, a new prompt the analyzer accepts', () => {
  const snippets = readJson<Record<string, { prefix: string | string[]; body: string | string[]; description: string }>>('snippets.json');
  const prefixes = Object.values(snippets).flatMap((s) => (Array.isArray(s.prefix) ? s.prefix : [s.prefix]));
  for (const p of ['prompt', 'role', 'each', 'if', 'partial']) assert.ok(prefixes.includes(p), `snippet ${p}`);
  for (const [name, snippet] of Object.entries(snippets)) {
    assert.ok(snippet.description, `${name} has a description`);
    const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body;
    // Expand the snippet with its default texts: ${1:x} → x, ${1|a,b|} → a, $1 / ${1} → the placeholder's text.
    const defaults = new Map<string, string>();
    const expanded = body
      .replace(/\$\{(\d+):([^{}]*)\}/g, (_, n: string, d: string) => (defaults.set(n, d), d))
      .replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_, n: string, d: string) => {
        const first = d.split(',')[0];
        defaults.set(n, first);
        return first;
      })
      .replace(/\$\{(\d+)\}|\$(\d+)/g, (_, a: string | undefined, b: string | undefined) => defaults.get(a ?? b ?? '') ?? '');
    assert.ok(!/\$\{|\$\d/.test(expanded), `${name} expands fully: ${expanded}`);
    const problems = analyzePrompt(expanded).problems.filter((p) => p.severity !== 'info');
    assert.deepEqual(problems, [], `${name} expands to a clean prompt:\n${expanded}`);
  }
});
