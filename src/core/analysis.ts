/**
 * Static analysis of a `.prompt` file (Dotprompt: YAML frontmatter + Handlebars body) for the
 * editor: problems, declared and used variables, helpers, partials, and where completion applies.
 * Plain TypeScript, no `vscode`: positions are 0-based lines and UTF-16 columns, as in VS Code.
 *
 * The checks follow what Dotprompt itself does when it renders (knownHelpersOnly compilation,
 * Picoschema expansion, its frontmatter regex), so a problem here means the run would fail or
 * send something the author did not intend.
 */
import Handlebars from 'handlebars';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';

export interface Position {
  line: number;
  character: number;
}
export interface TextRange {
  start: Position;
  end: Position;
}
export type ProblemSeverity = 'error' | 'warning' | 'info';
export interface PromptProblem {
  range: TextRange;
  severity: ProblemSeverity;
  code: string;
  message: string;
  /** Replacement candidates for a quick fix (closest installed model, key, helper, variable…). */
  suggestions?: string[];
}
export interface VariableUse {
  /** Root variable: "article". */
  name: string;
  /** Full dotted path as resolved from the root: "article.title" (also for `@root.article.title`). */
  path: string;
  range: TextRange;
}
export interface DeclaredVariable {
  name: string;
  /** "string", "number", "integer", "boolean", "object", "any", "string[]", `"a" | "b"` (enum)… */
  type?: string;
  description?: string;
  optional: boolean;
  hasDefault: boolean;
  defaultValue?: unknown;
  /** Where declared in the frontmatter (the name in `input.schema`, else the key in `input.default`). */
  range?: TextRange;
  /** Properties of an object, when the schema (or the default value) spells them out. */
  properties?: DeclaredVariable[];
  /** Shape of an array's items. */
  items?: DeclaredVariable;
  /** True when the schema allows no properties beyond `properties` (Picoschema objects without `(*)`). */
  closed?: boolean;
}
export interface PromptAnalysis {
  problems: PromptProblem[];
  /** Lines of the YAML, without the `---` fences. */
  frontmatterRange?: TextRange;
  /** First line of the Handlebars body (may equal the line count when the body is empty). */
  bodyStartLine: number;
  /** Value of `model:` as written (range includes quotes, if any). */
  model?: { name: string; range: TextRange };
  /** From input.schema (Picoschema or JSON Schema) and input.default. */
  declared: DeclaredVariable[];
  /** Root-variable uses in the body; block params, @data, `this`, helper names and #each/#with locals are left out. */
  uses: VariableUse[];
  helpersUsed: { name: string; range: TextRange }[];
  partialsUsed: { name: string; range: TextRange }[];
}
export interface AnalyzeOptions {
  /** The server's model list ("llama3.2:latest"…); when given, an unknown frontmatter model is a problem. */
  knownModels?: readonly string[];
  /** When given, a partial that is neither in this list nor defined inline is a problem. */
  knownPartials?: readonly string[];
  /** Helpers registered beyond Handlebars' and Dotprompt's own. */
  extraHelpers?: readonly string[];
  /** Named schemas the renderer can resolve (Picoschema type names beyond the scalars). */
  knownSchemas?: readonly string[];
  /** Variables supplied from elsewhere (e.g. every test case has them): their uses are not flagged. */
  knownVariables?: readonly string[];
}

export type CompletionContext =
  | {
      kind: 'variable';
      /** The path typed so far, e.g. "article.ti" (may be empty). */
      prefix: string;
      /** Range of the prefix (ends at the position). */
      range: TextRange;
      /** Range of the whole word around the position, for replacing instead of inserting. */
      replaceRange: TextRange;
      /** True when the word is the first one in the mustache, where a helper name may also go. */
      firstToken: boolean;
    }
  | {
      kind: 'model';
      /** The value typed so far, as written (may start with "ollama/"). */
      prefix: string;
      range: TextRange;
      replaceRange: TextRange;
    };

// ---------------------------------------------------------------------------------------------
// Dotprompt's vocabulary

/** Helpers a Dotprompt compile knows: Handlebars' built-ins plus Dotprompt's own. */
export const knownHelperNames: readonly string[] = [
  'if', 'unless', 'each', 'with', 'lookup', 'log', 'else', 'helperMissing', 'blockHelperMissing',
  'json', 'role', 'history', 'section', 'media', 'ifEquals', 'unlessEquals',
];
const shownHelperNames = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'json', 'role', 'history', 'section', 'media', 'ifEquals', 'unlessEquals'];

/** Top-level frontmatter keys Dotprompt reads; keys with a dot are namespaced extensions and fine. */
export const knownFrontmatterKeys: readonly string[] = [
  'name', 'variant', 'version', 'description', 'model', 'tools', 'toolDefs', 'config', 'input', 'output', 'raw', 'ext', 'metadata',
];

/** Roles Dotprompt's role marker accepts (its marker regex only matches lowercase letters). */
const dotpromptRoles = ['system', 'user', 'model', 'tool'];

type ValueKind = 'number' | 'integer' | 'boolean' | 'string' | 'string[]' | 'string|string[]';
/** Dotprompt config keys that Prompt Loop maps to Ollama options. */
const dotpromptConfigKeys: Record<string, ValueKind> = {
  temperature: 'number',
  maxOutputTokens: 'integer',
  topK: 'integer',
  topP: 'number',
  stopSequences: 'string[]',
};
/** Ollama's own model options (api.Options), passed through as written. */
const ollamaOptionKeys: Record<string, ValueKind> = {
  numa: 'boolean', num_ctx: 'integer', num_batch: 'integer', num_gpu: 'integer', main_gpu: 'integer', low_vram: 'boolean',
  f16_kv: 'boolean', logits_all: 'boolean', vocab_only: 'boolean', use_mmap: 'boolean', use_mlock: 'boolean',
  num_thread: 'integer', num_keep: 'integer', seed: 'integer', num_predict: 'integer', top_k: 'integer', top_p: 'number',
  min_p: 'number', tfs_z: 'number', typical_p: 'number', repeat_last_n: 'integer', temperature: 'number',
  repeat_penalty: 'number', presence_penalty: 'number', frequency_penalty: 'number', mirostat: 'integer',
  mirostat_tau: 'number', mirostat_eta: 'number', penalize_newline: 'boolean', stop: 'string|string[]',
};
/** Names people bring from other APIs, and what to write instead. */
const configAliases: Record<string, string> = {
  max_tokens: 'maxOutputTokens', maxTokens: 'maxOutputTokens', max_new_tokens: 'maxOutputTokens', max_output_tokens: 'maxOutputTokens',
  maxNewTokens: 'maxOutputTokens', stop_sequences: 'stopSequences', stopSequence: 'stopSequences',
};

/** Providers in Dotprompt/Genkit model names that are not Ollama ("googleai/gemini-2.0-flash"). */
const otherProviders = new Set([
  'googleai', 'google', 'gemini', 'vertexai', 'vertex', 'openai', 'azure', 'azureopenai', 'azure-openai', 'anthropic',
  'claude', 'bedrock', 'aws', 'aws-bedrock', 'mistral', 'mistralai', 'groq', 'cohere', 'deepseek', 'xai', 'grok',
  'together', 'togetherai', 'fireworks', 'perplexity', 'openrouter', 'replicate', 'cloudflare', 'workers-ai', 'ai21',
  'huggingface', 'lmstudio', 'llamacpp', 'vllm', 'compat-oai', 'genkit',
]);

const picoScalarTypes = ['any', 'boolean', 'integer', 'null', 'number', 'string'];
/** Type names from other languages, and the Picoschema type to write instead. */
const typeAliases: Record<string, string> = {
  str: 'string', text: 'string', char: 'string', int: 'integer', long: 'integer', float: 'number', double: 'number',
  decimal: 'number', bool: 'boolean', date: 'string', datetime: 'string', none: 'null', nil: 'null', unknown: 'any', object: 'object', array: 'array',
};
const wildcardProperty = '(*)';

// ---------------------------------------------------------------------------------------------
// Text positions

/** Line starts of a text (line breaks: CRLF, LF, lone CR, as VS Code counts them). */
class LineIndex {
  readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      } else if (c === 10) {
        this.starts.push(i + 1);
      }
    }
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** The line's text without its line break. */
  lineText(line: number): string {
    if (line < 0 || line >= this.starts.length) return '';
    const start = this.starts[line];
    let end = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, end);
  }
  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    // An offset between \r and \n belongs to the end of the line.
    const lineEnd = this.starts[lo] + this.lineText(lo).length;
    return { line: lo, character: Math.min(o, lineEnd) - this.starts[lo] };
  }
  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[position.line];
    return start + Math.max(0, Math.min(position.character, this.lineText(position.line).length));
  }
  range(start: number, end: number): TextRange {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
  /** The whole line, for problems that belong to a line rather than a token. */
  lineRange(line: number): TextRange {
    return { start: { line, character: 0 }, end: { line, character: this.lineText(line).length } };
  }
}

// ---------------------------------------------------------------------------------------------
// Layout: frontmatter and body

const fenceLine = /^---\s*$/;
/** The regex Dotprompt uses to split a source; when it fails, Dotprompt sends the whole file as the template. */
const dotpromptFrontmatterRegex = /^---\s*(?:\r\n|\r|\n)([\s\S]*?)(?:\r\n|\r|\n)---\s*(?:\r\n|\r|\n)([\s\S]*)$/;

interface Layout {
  /** Line of the closing fence, when the frontmatter is closed. */
  closeLine?: number;
  /** The text starts with an opening fence. */
  opened: boolean;
  bodyStartLine: number;
}

function stripBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}

function layoutOf(index: LineIndex): Layout {
  if (!fenceLine.test(stripBom(index.lineText(0)))) return { opened: false, bodyStartLine: 0 };
  for (let line = 1; line < index.lineCount; line++) {
    if (fenceLine.test(index.lineText(line))) return { opened: true, closeLine: line, bodyStartLine: line + 1 };
  }
  return { opened: true, bodyStartLine: index.lineCount };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Candidates close to `word` (case-insensitive edit distance), closest first. */
function closest(word: string, candidates: Iterable<string>, max = 3, maxDistance?: number): string[] {
  const lower = word.toLowerCase();
  const limit = maxDistance ?? Math.max(2, Math.floor(word.length / 3));
  const scored: { name: string; d: number }[] = [];
  for (const name of new Set(candidates)) {
    const d = editDistance(lower, name.toLowerCase());
    if (d <= limit && d < Math.max(word.length, name.length)) scored.push({ name, d });
  }
  scored.sort((x, y) => x.d - y.d || x.name.localeCompare(y.name));
  return scored.slice(0, max).map((s) => s.name);
}

function code(text: string): string {
  return '`' + text + '`';
}

function didYouMean(suggestions: readonly string[]): string {
  if (!suggestions.length) return '';
  return ` Did you mean ${suggestions.map(code).join(' or ')}?`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function typeOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesKind(value: unknown, kind: ValueKind): boolean {
  switch (kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'string|string[]':
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  }
}

const kindWords: Record<ValueKind, string> = {
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  string: 'a string',
  'string[]': 'a list of strings',
  'string|string[]': 'a string or a list of strings',
};

// ---------------------------------------------------------------------------------------------
// Models

function splitTag(name: string): { base: string; tag: string } {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) return { base: name.slice(0, colon), tag: name.slice(colon + 1) || 'latest' };
  return { base: name, tag: 'latest' };
}

function normalizeModel(name: string, stripProvider: boolean): string {
  let n = name.trim().toLowerCase();
  if (stripProvider && n.startsWith('ollama/')) n = n.slice('ollama/'.length);
  if (n.startsWith('registry.ollama.ai/')) n = n.slice('registry.ollama.ai/'.length);
  if (n.startsWith('library/')) n = n.slice('library/'.length);
  const { base, tag } = splitTag(n);
  return `${base}:${tag}`;
}

/**
 * Whether a model name as written in a prompt ("ollama/llama3.2", "qwen2.5:7b") names an installed
 * Ollama model ("llama3.2:latest"): provider prefix `ollama/` dropped, missing tag read as `latest`.
 */
export function modelMatches(written: string, installed: string): boolean {
  if (!written.trim() || !installed.trim()) return false;
  return normalizeModel(written, true) === normalizeModel(installed, false);
}

/** The provider prefix of a Dotprompt model name when it names a provider other than Ollama. */
function foreignProvider(model: string): string | undefined {
  const slash = model.indexOf('/');
  if (slash <= 0) return undefined;
  const prefix = model.slice(0, slash).toLowerCase();
  return otherProviders.has(prefix) ? model.slice(0, slash) : undefined;
}

function closestModels(written: string, installed: readonly string[]): string[] {
  const wanted = splitTag(normalizeModel(written, true)).base;
  const full = normalizeModel(written, true);
  const scored = installed.map((name) => {
    const normalized = normalizeModel(name, false);
    const base = splitTag(normalized).base;
    let d = editDistance(wanted, base);
    // Same family ("qwen2.5" for "qwen2.5:14b") first.
    if (base === wanted) d = -1;
    return { name, d, tie: editDistance(full, normalized) };
  });
  scored.sort((a, b) => a.d - b.d || a.tie - b.tie || a.name.localeCompare(b.name));
  const close = scored.filter((s) => s.d <= Math.max(3, Math.floor(wanted.length / 2)));
  return (close.length ? close : scored).slice(0, 3).map((s) => s.name);
}

// ---------------------------------------------------------------------------------------------
// Handlebars AST, as Handlebars.parse returns it (only what is read here)

interface HbsLoc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}
interface HbsNode {
  type: string;
  loc?: HbsLoc;
}
interface HbsProgram extends HbsNode {
  body: HbsNode[];
  blockParams?: string[];
}
interface HbsPath extends HbsNode {
  type: 'PathExpression';
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}
interface HbsLiteral extends HbsNode {
  value?: unknown;
  original?: unknown;
}
interface HbsHash extends HbsNode {
  pairs: { key: string; value: HbsNode; loc?: HbsLoc }[];
}
interface HbsCall extends HbsNode {
  path: HbsNode;
  params: HbsNode[];
  hash?: HbsHash;
}
interface HbsBlock extends HbsCall {
  program?: HbsProgram;
  inverse?: HbsProgram;
}
interface HbsPartial extends HbsNode {
  name: HbsNode;
  params: HbsNode[];
  hash?: HbsHash;
  program?: HbsProgram;
}

function isPath(node: HbsNode | undefined): node is HbsPath {
  return node?.type === 'PathExpression';
}
function isLiteral(node: HbsNode): node is HbsLiteral {
  return /Literal$/.test(node.type);
}

// ---------------------------------------------------------------------------------------------
// The analysis

interface Shape {
  /** Declared variable or property; undefined when nothing is known about the value. */
  decl?: DeclaredVariable;
  /** Words for messages: "`article`", "the items of `articles`". */
  label: string;
}

interface ContextFrame {
  root: boolean;
  shape?: Shape;
}
interface Scope {
  contexts: ContextFrame[];
  blockParams: Map<string, Shape | undefined>[];
}

class Analyzer {
  private readonly index: LineIndex;
  private readonly layout: Layout;
  readonly result: PromptAnalysis;
  private readonly declaredByName = new Map<string, DeclaredVariable>();
  /** The input schema admits any variable (`(*)`, additionalProperties, a named or scalar schema). */
  private inputOpen = false;
  /** There is an input schema or input.default, so undeclared uses are real warnings. */
  private hasDeclarations = false;
  /** The body hands the whole root context on (`{{json this}}`, `@root`), so "unused" can't be judged. */
  private rootWholeUsed = false;
  private bodyParsed = false;
  private frontmatterBroken = false;
  private readonly inlinePartials = new Set<string>();
  private readonly helpers: Set<string>;
  private fmStart = 0;
  private doc: Document | undefined;

  constructor(private readonly text: string, private readonly options: AnalyzeOptions) {
    this.index = new LineIndex(text);
    this.layout = layoutOf(this.index);
    this.helpers = new Set([...knownHelperNames, ...(options.extraHelpers ?? [])]);
    this.result = { problems: [], bodyStartLine: this.layout.bodyStartLine, declared: [], uses: [], helpersUsed: [], partialsUsed: [] };
  }

  private problem(range: TextRange, severity: ProblemSeverity, problemCode: string, message: string, suggestions?: string[]): void {
    const p: PromptProblem = { range, severity, code: problemCode, message };
    if (suggestions?.length) p.suggestions = suggestions;
    this.result.problems.push(p);
  }

  /** Runs every phase; a phase that throws (it should not) costs only its own findings. */
  run(): PromptAnalysis {
    this.guard(() => this.checkLayout());
    if (this.layout.opened && this.layout.closeLine === undefined) {
      // Everything after the fence would be read as YAML; reporting on it would only add noise.
      return this.finish();
    }
    if (this.layout.closeLine !== undefined) this.guard(() => this.analyzeFrontmatter());
    this.guard(() => this.analyzeBody());
    this.guard(() => this.crossCheck());
    return this.finish();
  }

  private guard(phase: () => void): void {
    try {
      phase();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.problem({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'info', 'analysis-failed', `Prompt Loop could not finish checking this file (${message}). Running it may still work.`);
    }
  }

  private finish(): PromptAnalysis {
    const byPosition = (a: { range: TextRange }, b: { range: TextRange }): number =>
      a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
    this.result.problems.sort(byPosition);
    return this.result;
  }

  // --- Layout ----------------------------------------------------------------------------------

  private checkLayout(): void {
    const { index, layout } = this;
    if (layout.opened && layout.closeLine === undefined) {
      this.problem(index.lineRange(0), 'error', 'frontmatter-not-closed',
        'The frontmatter opened here is never closed: add a line with `---` after the YAML. Until then Dotprompt sends the whole file, YAML included, as the prompt.');
      if (index.lineCount > 1) this.result.frontmatterRange = { start: { line: 1, character: 0 }, end: this.index.positionAt(this.text.length) };
      return;
    }
    if (layout.closeLine !== undefined) {
      const close = layout.closeLine;
      this.fmStart = index.starts[1];
      this.result.frontmatterRange = close > 1
        ? { start: { line: 1, character: 0 }, end: { line: close - 1, character: index.lineText(close - 1).length } }
        : { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } };
      const match = dotpromptFrontmatterRegex.exec(this.text.replace(/^\uFEFF/, ''));
      if (!match || !match[1]) {
        const why = close === index.lineCount - 1
          ? 'the closing `---` must be followed by a line break'
          : 'the frontmatter is empty (remove both `---` lines, or add a key such as `model:`)';
        this.problem(index.lineRange(close), 'warning', 'frontmatter-ignored',
          `Dotprompt will not read this frontmatter: ${why}. As written, the \`---\` lines and the YAML are sent to the model as part of the prompt.`);
      }
      return;
    }
    // A fence after leading blank lines: Dotprompt only sees frontmatter on the very first line.
    for (let line = 0; line < index.lineCount; line++) {
      const t = line === 0 ? stripBom(index.lineText(0)) : index.lineText(line);
      if (t.trim() === '') continue;
      if (fenceLine.test(t)) {
        for (let next = line + 1; next < index.lineCount; next++) {
          if (fenceLine.test(index.lineText(next))) {
            this.problem(index.lineRange(line), 'warning', 'frontmatter-not-at-start',
              'Frontmatter must start on the first line: remove the blank lines above `---`. As written, Dotprompt sends it to the model as part of the prompt.');
            break;
          }
        }
      }
      break;
    }
  }

  // --- Frontmatter ---------------------------------------------------------------------------

  private fmRange(node: unknown): TextRange | undefined {
    const r = (node as { range?: unknown } | null | undefined)?.range;
    if (!Array.isArray(r) || typeof r[0] !== 'number' || typeof r[1] !== 'number') return undefined;
    let end = this.fmStart + r[1];
    // Block collections end after their last line break; stop at the last character instead.
    while (end > this.fmStart + r[0] && /[\r\n]/.test(this.text[end - 1])) end--;
    return this.index.range(this.fmStart + r[0], end);
  }

  private fmOffsetRange(start: number, end: number): TextRange {
    return this.index.range(this.fmStart + start, this.fmStart + Math.max(start, end));
  }

  private toJS(node: unknown): unknown {
    if (!node || !this.doc) return node === null ? null : undefined;
    try {
      const n = node as { toJS?: (doc: Document) => unknown };
      return typeof n.toJS === 'function' ? n.toJS(this.doc) : undefined;
    } catch {
      return undefined;
    }
  }

  private analyzeFrontmatter(): void {
    const close = this.layout.closeLine ?? 1;
    const fmEnd = this.index.starts[close];
    const source = this.text.slice(this.fmStart, fmEnd);
    const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
    this.doc = doc;
    const contentEnd = source.trimEnd().length;
    for (const error of doc.errors) {
      let [start, end] = error.pos;
      // Errors found at the end of the YAML (an unclosed bracket) point past it, at the fence: show them on the last YAML character.
      if (start >= contentEnd) {
        start = Math.max(0, contentEnd - 1);
        end = contentEnd;
      }
      // A one-character position inside a word (a duplicate key) reads better as the whole word.
      if (end - start <= 1 && /[^\s:,[\]{}#]/.test(source[start] ?? '')) {
        end = start;
        while (end < contentEnd && /[^\s:,[\]{}#]/.test(source[end])) end++;
      }
      const range = this.fmOffsetRange(start, end > start ? end : Math.min(start + 1, contentEnd));
      this.problem(range, 'error', 'invalid-yaml',
        `Frontmatter is not valid YAML: ${error.message}. Until it is fixed, Dotprompt ignores the frontmatter and sends the whole file as the prompt.`);
    }
    for (const warning of doc.warnings) {
      const [start, end] = warning.pos;
      this.problem(this.fmOffsetRange(start, end), 'warning', 'yaml-warning', `YAML: ${warning.message}`);
    }
    if (doc.errors.length) {
      this.frontmatterBroken = true;
      return;
    }
    const contents = doc.contents;
    if (contents === null || contents === undefined) return;
    if (isScalar(contents) && (contents.value === null || contents.value === undefined)) return;
    if (!isMap(contents)) {
      this.frontmatterBroken = true;
      const range = this.fmRange(contents) ?? this.result.frontmatterRange ?? this.index.lineRange(1);
      this.problem(range, 'error', 'frontmatter-not-mapping',
        `Frontmatter must be a YAML mapping of keys (\`model: ollama/llama3.2\`), not ${isSeq(contents) ? 'a list' : 'a single value'}.`);
      return;
    }
    this.checkTopLevelKeys(contents);
    this.analyzeModel(mapGet(contents, 'model'));
    this.analyzeConfig(mapGet(contents, 'config'));
    this.analyzeInput(mapGet(contents, 'input'));
    this.analyzeOutput(mapGet(contents, 'output'));
  }

  private checkTopLevelKeys(map: YAMLMap): void {
    for (const pair of map.items) {
      const key = pair.key as YamlNode | null;
      const name = isScalar(key) ? key.value : undefined;
      if (typeof name !== 'string') {
        const range = this.fmRange(key) ?? this.index.lineRange(1);
        this.problem(range, 'warning', 'unknown-frontmatter-key', 'Frontmatter keys must be plain names; Dotprompt ignores this one.');
        continue;
      }
      if (knownFrontmatterKeys.includes(name) || name.includes('.')) continue;
      const suggestions = closest(name, knownFrontmatterKeys, 2);
      this.problem(this.fmRange(key) ?? this.index.lineRange(1), 'warning', 'unknown-frontmatter-key',
        `${code(name)} is not a Dotprompt frontmatter key, so it is ignored.${didYouMean(suggestions)} Settings of your own go under a namespaced key such as \`promptLoop.${name}\`.`,
        suggestions);
    }
  }

  private analyzeModel(pair: Pair | undefined): void {
    if (!pair) return;
    const value = pair.value as YamlNode | null;
    const range = this.fmRange(value) ?? this.fmRange(pair.key);
    if (!range) return;
    if (!isScalar(value) || typeof value.value !== 'string') {
      if (isScalar(value) && (value.value === null || value.value === undefined)) return; // `model:` being typed
      this.problem(range, 'warning', 'invalid-model', 'The model must be a name such as `ollama/llama3.2`.');
      return;
    }
    const name = value.value.trim();
    if (!name) return;
    this.result.model = { name: value.value, range };
    const provider = foreignProvider(name);
    if (provider) {
      const local = this.options.knownModels?.length ? ` (installed: ${this.options.knownModels.slice(0, 3).join(', ')})` : '';
      this.problem(range, 'warning', 'non-ollama-model',
        `${code(name)} names the ${code(provider)} provider; Prompt Loop runs local Ollama models only. Write \`ollama/<model>\`${local}.`,
        this.options.knownModels?.length ? closestModels(name, this.options.knownModels).map((m) => `ollama/${m}`) : undefined);
      return;
    }
    const known = this.options.knownModels;
    if (!known) return;
    if (known.some((installed) => modelMatches(name, installed))) return;
    const written = name.replace(/^ollama\//i, '');
    if (!known.length) {
      this.problem(range, 'warning', 'unknown-model',
        `The Ollama server has no models installed. Pull this one with \`ollama pull ${written}\` (or **Prompt Loop: Pull Model**).`);
      return;
    }
    const near = closestModels(name, known);
    this.problem(range, 'warning', 'unknown-model',
      `Model ${code(written)} is not installed on the Ollama server. Closest installed: ${near.join(', ')}. Pull it with \`ollama pull ${written}\` or pick an installed model.`,
      near.map((m) => (/^ollama\//i.test(name) ? `ollama/${m}` : m)));
  }

  private analyzeConfig(pair: Pair | undefined): void {
    if (!pair) return;
    const value = pair.value as YamlNode | null;
    if (isScalar(value) && (value.value === null || value.value === undefined)) return;
    if (!isMap(value)) {
      this.problem(this.fmRange(value) ?? this.fmRange(pair.key) ?? this.index.lineRange(1),
        'warning', 'invalid-config', '`config` must be a mapping of model options, e.g. `temperature: 0.7`.');
      return;
    }
    for (const item of value.items) {
      const key = item.key as YamlNode | null;
      const name = isScalar(key) ? key.value : undefined;
      const keyRange = this.fmRange(key) ?? this.index.lineRange(1);
      if (typeof name !== 'string') continue;
      const kind = dotpromptConfigKeys[name] ?? ollamaOptionKeys[name];
      if (!kind) {
        const snake = name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
        let suggestions: string[];
        if (configAliases[name]) suggestions = [configAliases[name]];
        else if (ollamaOptionKeys[snake]) suggestions = [snake];
        else suggestions = closest(name, [...Object.keys(dotpromptConfigKeys), ...Object.keys(ollamaOptionKeys)], 2);
        this.problem(keyRange, 'warning', 'unknown-config-key',
          `Ollama does not understand the option ${code(name)}, so it has no effect.${didYouMean(suggestions)} Dotprompt keys: ${Object.keys(dotpromptConfigKeys).join(', ')}; Ollama options in snake_case (num_ctx, seed, repeat_penalty…) pass through.`,
          suggestions);
        continue;
      }
      const v = this.toJS(item.value);
      if (v === null || v === undefined) continue;
      if (!matchesKind(v, kind)) {
        this.problem(this.fmRange(item.value) ?? keyRange, 'warning', 'invalid-config-value',
          `${code(name)} should be ${kindWords[kind]}, not ${describeValue(v)}.`);
      }
    }
  }

  private analyzeInput(pair: Pair | undefined): void {
    if (!pair) return;
    const value = pair.value as YamlNode | null;
    if (isScalar(value) && (value.value === null || value.value === undefined)) return;
    if (!isMap(value)) {
      this.problem(this.fmRange(value) ?? this.index.lineRange(1), 'warning', 'invalid-input',
        '`input` must be a mapping with `schema` and/or `default`.');
      return;
    }
    const schemaPair = mapGet(value, 'schema');
    if (schemaPair) {
      const schemaNode = schemaPair.value as YamlNode | null;
      if (!(isScalar(schemaNode) && (schemaNode.value === null || schemaNode.value === undefined))) {
        this.hasDeclarations = true;
        const root = this.schemaShape(schemaNode, true);
        if (root.properties) for (const v of root.properties) this.declare(v);
        if (!root.closed) this.inputOpen = true;
      }
    }
    const defaultPair = mapGet(value, 'default');
    if (defaultPair) {
      const node = defaultPair.value as YamlNode | null;
      if (isMap(node)) {
        this.hasDeclarations = true;
        for (const item of node.items) {
          const key = item.key as YamlNode | null;
          const name = isScalar(key) ? key.value : undefined;
          if (typeof name !== 'string' && typeof name !== 'number') continue;
          const keyName = String(name);
          const defaultValue = this.toJS(item.value);
          const existing = this.declaredByName.get(keyName);
          if (existing) {
            existing.hasDefault = true;
            existing.defaultValue = defaultValue;
          } else {
            const inferred = inferShape(keyName, defaultValue);
            inferred.hasDefault = true;
            inferred.defaultValue = defaultValue;
            inferred.optional = true;
            const range = this.fmRange(key);
            if (range) inferred.range = range;
            this.declare(inferred);
          }
        }
      } else if (!(isScalar(node) && (node.value === null || node.value === undefined))) {
        this.problem(this.fmRange(node) ?? this.index.lineRange(1), 'warning', 'invalid-input',
          '`input.default` must be a mapping of variable names to values.');
      }
    }
  }

  private analyzeOutput(pair: Pair | undefined): void {
    if (!pair || !isMap(pair.value)) return;
    const schemaPair = mapGet(pair.value, 'schema');
    if (schemaPair) this.schemaShape(schemaPair.value as YamlNode | null, false);
    const format = mapGet(pair.value, 'format');
    const f = format && isScalar(format.value) ? format.value.value : undefined;
    if (typeof f === 'string' && !['json', 'text', 'array', 'enum', 'jsonl', 'media'].includes(f)) {
      this.problem(this.fmRange(format?.value) ?? this.index.lineRange(1), 'warning', 'invalid-output-format',
        `Output format ${code(f)} is not one Ollama can enforce: use \`json\` (with a schema for structured output) or \`text\`.`);
    }
  }

  private declare(v: DeclaredVariable): void {
    if (this.declaredByName.has(v.name)) return;
    this.declaredByName.set(v.name, v);
    this.result.declared.push(v);
  }

  /**
   * Reads a schema as Dotprompt's Picoschema parser would (JSON Schema passes through), returning
   * its shape and reporting what would make rendering throw.
   */
  private schemaShape(node: YamlNode | null, isInput: boolean): DeclaredVariable {
    const shape: DeclaredVariable = { name: '', optional: false, hasDefault: false };
    if (node === null || node === undefined) return shape;
    if (isScalar(node)) {
      if (typeof node.value !== 'string') {
        this.problem(this.fmRange(node) ?? this.index.lineRange(1), 'error', 'invalid-schema',
          `A schema is a type name (\`string\`), a Picoschema mapping or a JSON Schema, not ${describeValue(node.value)}.`);
        return shape;
      }
      // A scalar or named schema for the whole input: variables are not spelled out.
      this.checkTypeName(node.value, node, false);
      shape.type = extractDescription(node.value)[0].trim();
      return shape;
    }
    const js = this.toJS(node);
    if (isMap(node) && js && typeof js === 'object' && !Array.isArray(js)) {
      const obj = js as Record<string, unknown>;
      if (typeof obj.type === 'string' && [...picoScalarTypes, 'object', 'array'].includes(obj.type)) return this.jsonSchemaShape(node, obj, '');
      if (obj.properties && typeof obj.properties === 'object') return this.jsonSchemaShape(node, { ...obj, type: 'object' }, '');
      return this.picoShape(node, '');
    }
    this.problem(this.fmRange(node) ?? this.index.lineRange(1), 'error', 'invalid-schema',
      `${isInput ? 'input' : 'output'}.schema must be a type name, a Picoschema mapping or a JSON Schema, not a list.`);
    return shape;
  }

  private checkTypeName(written: string, node: YamlNode, parenthesized: boolean): void {
    const type = extractDescription(written)[0];
    if (picoScalarTypes.includes(type) || this.options.knownSchemas?.includes(type)) return;
    const range = this.fmRange(node) ?? this.index.lineRange(1);
    if (!parenthesized && (type === 'object' || type === 'array')) {
      this.problem(range, 'error', 'invalid-schema',
        `In Picoschema, ${code(type)} goes in parentheses after the name: \`name(${type}): …\` with the ${type === 'array' ? 'item type' : 'properties'} as the value.`);
      return;
    }
    const suggestions = typeAliases[type.toLowerCase()] ? [typeAliases[type.toLowerCase()]] : closest(type, picoScalarTypes, 2);
    this.problem(range, 'error', 'invalid-schema',
      `${code(type)} is not a Picoschema type, so rendering will fail.${didYouMean(suggestions)} Types: ${picoScalarTypes.join(', ')}; \`name(object)\`, \`name(array)\`, \`name(enum)\` for the others.`,
      suggestions);
  }

  private picoShape(node: YamlNode | null, path: string): DeclaredVariable {
    const shape: DeclaredVariable = { name: '', optional: false, hasDefault: false };
    if (node === null || node === undefined) {
      shape.type = 'object';
      shape.properties = [];
      shape.closed = true;
      return shape;
    }
    if (isScalar(node)) {
      if (node.value === null || node.value === undefined) {
        shape.type = 'object';
        shape.properties = [];
        shape.closed = true;
        return shape;
      }
      if (typeof node.value !== 'string') {
        this.problem(this.fmRange(node) ?? this.index.lineRange(1), 'error', 'invalid-schema',
          `Picoschema values are type names (\`string, a description\`) or nested mappings, not ${describeValue(node.value)}.`);
        return shape;
      }
      const [type, description] = extractDescription(node.value);
      this.checkTypeName(node.value, node, false);
      shape.type = type;
      if (description) shape.description = description;
      return shape;
    }
    if (!isMap(node)) {
      this.problem(this.fmRange(node) ?? this.index.lineRange(1), 'error', 'invalid-schema',
        `Picoschema${path ? ` at ${code(path)}` : ''} must be a mapping of property names, not a list (for a list, write \`name(array): <item type>\`).`);
      return shape;
    }
    shape.type = 'object';
    shape.properties = [];
    shape.closed = true;
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string') continue;
      const valueNode = pair.value as YamlNode | null;
      if (key === wildcardProperty) {
        shape.closed = false;
        this.picoShape(valueNode, path);
        continue;
      }
      const open = key.indexOf('(');
      const rawName = open >= 0 ? key.slice(0, open) : key;
      const typeInfo = open >= 0 ? key.slice(open + 1) : '';
      const optional = rawName.trim().endsWith('?');
      const name = (optional ? rawName.trim().slice(0, -1) : rawName).trim();
      if (!name) continue;
      const keyRange = this.nameRange(keyNode, name);
      let prop: DeclaredVariable;
      const childPath = path ? `${path}.${name}` : name;
      if (open < 0) {
        prop = this.picoShape(valueNode, childPath);
      } else {
        if (!typeInfo.endsWith(')')) {
          this.problem(keyRange ?? this.index.lineRange(1), 'error', 'invalid-schema', `Missing \`)\` in ${code(key)}: write \`${name}(object)\`, \`${name}(array)\` or \`${name}(enum)\`.`);
        }
        const [type, description] = extractDescription(typeInfo.replace(/\)\s*$/, ''));
        const t = type.trim();
        if (t === 'array') {
          const items = this.picoShape(valueNode, `${childPath}[]`);
          prop = { name, optional, hasDefault: false, type: `${items.type ?? 'any'}[]`, items };
        } else if (t === 'object') {
          prop = this.picoShape(valueNode, childPath);
          prop.type = 'object';
        } else if (t === 'enum') {
          const values = this.toJS(valueNode);
          if (!Array.isArray(values)) {
            this.problem(this.fmRange(valueNode) ?? keyRange ?? this.index.lineRange(1), 'error', 'invalid-schema',
              `The values of enum ${code(name)} must be a list, e.g. \`[short, long]\`.`);
            prop = { name, optional, hasDefault: false, type: 'enum' };
          } else {
            prop = { name, optional, hasDefault: false, type: values.map((x) => JSON.stringify(x)).join(' | ') || 'enum' };
          }
        } else {
          this.problem(keyRange ?? this.index.lineRange(1), 'error', 'invalid-schema',
            `Picoschema only takes \`object\`, \`array\` or \`enum\` in parentheses, not ${code(t)}: write \`${name}: ${t}\` for a ${t}.`);
          prop = { name, optional, hasDefault: false, type: t };
        }
        if (description) prop.description = description;
      }
      prop.name = name;
      prop.optional = optional;
      if (keyRange) prop.range = keyRange;
      shape.properties.push(prop);
    }
    return shape;
  }

  private jsonSchemaShape(node: YamlNode | null, js: Record<string, unknown>, name: string): DeclaredVariable {
    const shape: DeclaredVariable = { name, optional: false, hasDefault: false };
    const type = js.type;
    if (typeof type === 'string') shape.type = type;
    else if (Array.isArray(type)) shape.type = type.filter((t) => t !== 'null').join(' | ');
    if (Array.isArray(js.enum)) shape.type = js.enum.map((x) => JSON.stringify(x)).join(' | ');
    if (typeof js.description === 'string') shape.description = js.description;
    const propertiesNode = isMap(node) ? mapGet(node, 'properties')?.value as YamlNode | null | undefined : undefined;
    if (js.properties && typeof js.properties === 'object' && !Array.isArray(js.properties)) {
      const required = Array.isArray(js.required) ? js.required.filter((r): r is string => typeof r === 'string') : [];
      shape.type ??= 'object';
      shape.properties = [];
      shape.closed = !(js.additionalProperties === true || (js.additionalProperties !== null && typeof js.additionalProperties === 'object'));
      for (const [prop, sub] of Object.entries(js.properties as Record<string, unknown>)) {
        const pair = isMap(propertiesNode) ? mapGet(propertiesNode, prop) : undefined;
        const child = sub && typeof sub === 'object' && !Array.isArray(sub)
          ? this.jsonSchemaShape((pair?.value as YamlNode | null | undefined) ?? null, sub as Record<string, unknown>, prop)
          : { name: prop, optional: false, hasDefault: false };
        child.optional = !required.includes(prop);
        const range = pair ? this.nameRange(pair.key as YamlNode | null, prop) : undefined;
        if (range) child.range = range;
        shape.properties.push(child);
      }
    } else if (shape.type === 'object') {
      shape.closed = false;
    }
    if (js.items && typeof js.items === 'object' && !Array.isArray(js.items)) {
      const itemsNode = isMap(node) ? mapGet(node, 'items')?.value as YamlNode | null | undefined : undefined;
      shape.items = this.jsonSchemaShape(itemsNode ?? null, js.items as Record<string, unknown>, '');
      if (shape.type === 'array') shape.type = `${shape.items.type ?? 'any'}[]`;
    }
    return shape;
  }

  /** Range of just the name inside a key such as `article?(object, the article)`. */
  private nameRange(keyNode: YamlNode | null, name: string): TextRange | undefined {
    const r = (keyNode as { range?: unknown } | null)?.range;
    if (!Array.isArray(r) || typeof r[0] !== 'number' || typeof r[1] !== 'number') return undefined;
    const at = this.text.indexOf(name, this.fmStart + r[0]);
    if (name && at >= 0 && at + name.length <= this.fmStart + r[1]) return this.index.range(at, at + name.length);
    return this.index.range(this.fmStart + r[0], this.fmStart + r[1]);
  }

  // --- Body ------------------------------------------------------------------------------------

  private hbsPos(p: { line: number; column: number }): Position {
    const line = this.layout.bodyStartLine + p.line - 1;
    return { line, character: p.column };
  }

  private hbsRange(loc: HbsLoc | undefined): TextRange {
    if (!loc) return this.index.lineRange(this.layout.bodyStartLine);
    return { start: this.hbsPos(loc.start), end: this.hbsPos(loc.end) };
  }

  private analyzeBody(): void {
    const bodyOffset = this.layout.bodyStartLine < this.index.lineCount ? this.index.starts[this.layout.bodyStartLine] : this.text.length;
    const body = this.text.slice(bodyOffset);
    if (!body.trim()) {
      this.bodyParsed = true;
      return;
    }
    let program: HbsProgram;
    try {
      program = Handlebars.parse(body);
    } catch (error) {
      this.reportTemplateError(error, body);
      return;
    }
    this.bodyParsed = true;
    const rootShape: DeclaredVariable = { name: '', type: 'object', optional: false, hasDefault: false, properties: this.result.declared, closed: !this.inputOpen };
    this.visitProgram(program, { contexts: [{ root: true, shape: { decl: rootShape, label: 'the input' } }], blockParams: [] });
  }

  /** Handlebars parse errors carry their place only in the lexer's state; read it, don't guess from the text. */
  private reportTemplateError(error: unknown, body: string): void {
    const message = error instanceof Error ? error.message : String(error);
    const e = error as { lineNumber?: number; column?: number; endLineNumber?: number; endColumn?: number };
    const mismatch = /^(.+?) doesn't match (.+?)(?: - \d+:\d+)?$/.exec(message.split('\n')[0]);
    if (mismatch && typeof e.lineNumber === 'number') {
      const start = this.hbsPos({ line: e.lineNumber, column: e.column ?? 0 });
      const end = typeof e.endLineNumber === 'number' ? this.hbsPos({ line: e.endLineNumber, column: e.endColumn ?? 0 }) : start;
      this.problem({ start, end }, 'error', 'template-syntax',
        `\`{{#${mismatch[1]}}}\` is closed by \`{{/${mismatch[2]}}}\`: close it with \`{{/${mismatch[1]}}}\` (blocks close in the reverse order they open).`);
      return;
    }
    const lexer = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number; last_line: number; last_column: number } } } }).Parser?.lexer;
    const loc = lexer?.yylloc;
    const parse = /^Parse error on line (\d+):[\s\S]*Expecting (.*), got '([^']*)'/.exec(message);
    const lexical = /^Lexical error on line (\d+)/.exec(message);
    if (parse?.[3] === 'EOF') {
      const open = unclosedBlock(body);
      if (open) {
        const index = new LineIndex(body);
        const s = index.positionAt(open.start);
        const en = index.positionAt(open.end);
        const range = { start: { line: s.line + this.layout.bodyStartLine, character: s.character }, end: { line: en.line + this.layout.bodyStartLine, character: en.character } };
        this.problem(range, 'error', 'template-syntax', `\`{{#${open.name}}}\` is never closed: add \`{{/${open.name}}}\` where the block ends.`);
        return;
      }
    }
    const unclosed = unclosedMustache(body);
    if (unclosed && (parse || lexical)) {
      const bodyIndex = new LineIndex(body);
      const errorOffset = loc && typeof loc.first_line === 'number' ? bodyIndex.offsetAt({ line: loc.first_line - 1, character: loc.first_column }) : body.length;
      if (unclosed.start <= errorOffset) {
        const s = bodyIndex.positionAt(unclosed.start);
        const en = bodyIndex.positionAt(unclosed.end);
        const range = { start: { line: s.line + this.layout.bodyStartLine, character: s.character }, end: { line: en.line + this.layout.bodyStartLine, character: en.character } };
        this.problem(range, 'error', 'template-syntax', unclosed.comment
          ? 'This comment is never closed: end it with `--}}`.'
          : 'This `{{` is never closed: end it with `}}` (to show literal braces, write `\\{{`).');
        return;
      }
    }
    let range: TextRange;
    if (loc && typeof loc.first_line === 'number') {
      const first = lexical ? { line: loc.last_line, column: loc.last_column } : { line: loc.first_line, column: loc.first_column };
      const last = lexical ? first : { line: loc.last_line, column: loc.last_column };
      range = { start: this.hbsPos(first), end: this.hbsPos(last) };
    } else {
      const line = Number((parse ?? lexical)?.[1] ?? 1);
      range = this.index.lineRange(this.layout.bodyStartLine + line - 1);
    }
    range = this.widen(range, lexical !== null);
    let text: string;
    if (parse) {
      const expected = describeExpected(parse[2]);
      text = `Template syntax error: found ${describeToken(parse[3])}${expected ? `, expected ${expected}` : ''}.`;
    } else if (lexical) {
      text = 'Template syntax error: this `{{` is not valid Handlebars (a comment is `{{!-- … --}}`, a variable `{{name}}`).';
    } else {
      text = `Template syntax error: ${message.split('\n')[0]}`;
    }
    this.problem(range, 'error', 'template-syntax', text);
  }

  /** A zero-width range is hard to see; cover the next character, or the rest of the line. */
  private widen(range: TextRange, toLineEnd: boolean): TextRange {
    const { start, end } = range;
    if (start.line !== end.line || start.character !== end.character) return range;
    const lineLength = this.index.lineText(start.line).length;
    if (toLineEnd && lineLength > start.character) return { start, end: { line: start.line, character: lineLength } };
    if (start.character < lineLength) return { start, end: { line: start.line, character: start.character + 1 } };
    if (start.character > 0) return { start: { line: start.line, character: start.character - 1 }, end };
    return range;
  }

  private visitProgram(program: HbsProgram | undefined, scope: Scope): void {
    if (!program?.body) return;
    for (const statement of program.body) this.visitStatement(statement, scope);
  }

  private visitStatement(node: HbsNode, scope: Scope): void {
    switch (node.type) {
      case 'MustacheStatement':
        this.visitCall(node as HbsCall, scope, 'mustache');
        break;
      case 'BlockStatement':
        this.visitBlock(node as HbsBlock, scope);
        break;
      case 'DecoratorBlock': {
        const block = node as HbsBlock;
        const first = block.params[0];
        if (isPath(block.path) && block.path.original === 'inline' && first && isLiteral(first) && typeof first.value === 'string') {
          this.inlinePartials.add(first.value);
        }
        // An inline partial runs in whatever context it is called from.
        this.visitProgram(block.program, { contexts: [...scope.contexts, { root: false }], blockParams: scope.blockParams });
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const partial = node as HbsPartial;
        this.recordPartial(partial);
        for (const p of partial.params ?? []) this.visitExpression(p, scope);
        for (const pair of partial.hash?.pairs ?? []) this.visitExpression(pair.value, scope);
        if (partial.program) this.visitProgram(partial.program, scope);
        break;
      }
      default:
        break; // content, comments, decorators
    }
  }

  private recordPartial(partial: HbsPartial): void {
    const n = partial.name;
    let name: string | undefined;
    if (isPath(n)) {
      if (n.data) return; // {{> @partial-block}}
      name = n.original;
    } else if (n && isLiteral(n)) {
      name = String(n.value ?? n.original);
    }
    if (name !== undefined) this.result.partialsUsed.push({ name, range: this.hbsRange(n.loc) });
  }

  /**
   * Classifies a call as Handlebars' compiler does with `knownHelpersOnly` (as Dotprompt compiles):
   * params or a hash make a helper call; a bare simple name is a helper only when one is known.
   */
  private helperNameOf(node: HbsCall, scope: Scope, kind: 'mustache' | 'block' | 'sub'): { helper?: string; path?: HbsPath } {
    let path = node.path;
    if (path && isLiteral(path)) {
      // Handlebars reads `{{"name"}}` as the path `name`.
      const literal = path;
      path = { type: 'PathExpression', data: false, depth: 0, parts: [String(literal.value ?? literal.original)], original: String(literal.value ?? literal.original), loc: literal.loc } as HbsPath;
    }
    if (!isPath(path)) return {};
    const scoped = /^\.|this\b/.test(path.original);
    const simple = path.parts.length === 1 && !scoped && !path.depth && !path.data;
    const blockParam = simple && scope.blockParams.some((m) => m.has(path.parts[0]));
    const hasArgs = (node.params?.length ?? 0) > 0 || (node.hash?.pairs?.length ?? 0) > 0;
    const helperCall = !blockParam && (kind === 'sub' || hasArgs);
    if (helperCall) return { helper: path.original, path };
    if (simple && !blockParam && this.helpers.has(path.parts[0])) return { helper: path.parts[0], path };
    return { path };
  }

  /** Visits a mustache or subexpression; returns the shape of its value when it is a plain path. */
  private visitCall(node: HbsCall, scope: Scope, kind: 'mustache' | 'sub'): Shape | undefined {
    const { helper, path } = this.helperNameOf(node, scope, kind);
    if (helper !== undefined && path) {
      this.recordHelper(helper, path, node, false);
      for (const p of node.params ?? []) this.visitExpression(p, scope);
      for (const pair of node.hash?.pairs ?? []) this.visitExpression(pair.value, scope);
      return undefined;
    }
    return path ? this.resolvePath(path, scope) : undefined;
  }

  private recordHelper(name: string, path: HbsPath, node: HbsCall, block: boolean): void {
    const range = this.hbsRange(path.loc);
    this.result.helpersUsed.push({ name, range });
    if (!this.helpers.has(name)) {
      const suggestions = closest(name, shownHelperNames.concat(this.options.extraHelpers ?? []), 2);
      const asVariables = !block && !path.data && node.params?.length
        ? ` If ${code(name)} is a variable, a mustache takes one path: write \`{{${name}}}\` on its own.`
        : '';
      this.problem(range, 'error', 'unknown-helper',
        `${code(name)} is not a helper Dotprompt knows, so compiling the prompt will fail.${didYouMean(suggestions)}${asVariables} Helpers: ${shownHelperNames.join(', ')}.`,
        suggestions);
      return;
    }
    const params = node.params ?? [];
    const hash = node.hash?.pairs ?? [];
    const fullRange = this.hbsRange(node.loc);
    const arity = (n: number, severity: ProblemSeverity, what: string): void => {
      if (params.length !== n) {
        this.problem(fullRange, severity, 'helper-arguments', `${code(name)} takes ${what}; here it has ${params.length === 0 ? 'none' : params.length}.`);
      }
    };
    const blockHelpers = ['if', 'unless', 'each', 'with', 'ifEquals', 'unlessEquals'];
    if (!block && blockHelpers.includes(name)) {
      this.problem(fullRange, 'error', 'helper-arguments', `${code(name)} is a block helper, so this fails when rendering: write \`{{#${name} …}}…{{/${name}}}\`.`);
    } else if (block && !blockHelpers.includes(name) && name !== 'else') {
      this.problem(range, 'warning', 'helper-arguments', `${code(name)} is not a block helper: the text inside \`{{#${name}}}…{{/${name}}}\` is dropped. Write \`{{${name} …}}\` on its own.`);
    }
    switch (name) {
      case 'if':
      case 'unless':
      case 'with':
      case 'each':
        arity(1, 'error', name === 'each' ? 'exactly one list or object to iterate over' : 'exactly one argument');
        break;
      case 'ifEquals':
      case 'unlessEquals':
        arity(2, 'error', 'two values to compare');
        break;
      case 'lookup':
        arity(2, 'error', 'an object and a key');
        break;
      case 'json':
        arity(1, 'error', 'one value to serialize (and optionally `indent=2`)');
        break;
      case 'section':
        arity(1, 'warning', 'one section name');
        break;
      case 'history':
        if (params.length || hash.length) this.problem(fullRange, 'warning', 'helper-arguments', '`history` takes no arguments.');
        break;
      case 'media':
        if (!hash.some((p) => p.key === 'url')) this.problem(fullRange, 'warning', 'helper-arguments', '`media` needs a `url=` argument, e.g. `{{media url=imageUrl}}`.');
        break;
      case 'role': {
        arity(1, 'warning', 'one role name');
        const first = params[0];
        if (first && first.type === 'StringLiteral') {
          const role = String((first as HbsLiteral).value);
          if (!dotpromptRoles.includes(role)) {
            const suggestion = role.toLowerCase() === 'assistant' ? ['model'] : closest(role.toLowerCase(), dotpromptRoles, 1, 3);
            this.problem(this.hbsRange(first.loc), 'warning', 'unknown-role',
              `Dotprompt roles are ${dotpromptRoles.join(', ')} (the model's own turns are \`model\`); ${JSON.stringify(role)} is not recognized and would stay in the prompt as text.${didYouMean(suggestion)}`,
              suggestion);
          }
        }
        break;
      }
      default:
        break;
    }
  }

  private visitBlock(block: HbsBlock, scope: Scope): void {
    const { helper, path } = this.helperNameOf(block, scope, 'block');
    const blockParamNames = block.program?.blockParams ?? [];
    let inner: Scope = scope;
    if (helper !== undefined && path) {
      this.recordHelper(helper, path, block, true);
      const paramShapes = (block.params ?? []).map((p) => this.visitExpression(p, scope));
      for (const pair of block.hash?.pairs ?? []) this.visitExpression(pair.value, scope);
      const arg = paramShapes[0];
      if (helper === 'each') {
        const item = itemShape(arg);
        const params = new Map<string, Shape | undefined>();
        if (blockParamNames[0]) params.set(blockParamNames[0], item);
        if (blockParamNames[1]) params.set(blockParamNames[1], undefined);
        inner = { contexts: [...scope.contexts, { root: false, shape: item }], blockParams: [params, ...scope.blockParams] };
      } else if (helper === 'with') {
        const params = new Map<string, Shape | undefined>();
        if (blockParamNames[0]) params.set(blockParamNames[0], arg);
        inner = { contexts: [...scope.contexts, { root: false, shape: arg }], blockParams: [params, ...scope.blockParams] };
      } else if (blockParamNames.length) {
        inner = { contexts: scope.contexts, blockParams: [new Map(blockParamNames.map((n) => [n, undefined])), ...scope.blockParams] };
      }
    } else if (path) {
      // A mustache-style section `{{#items}}…{{/items}}`: iterates a list, enters an object, tests anything else.
      const shape = this.resolvePath(path, scope);
      const decl = shape?.decl;
      const isList = decl?.items !== undefined || decl?.type?.endsWith('[]') === true;
      const isScalarValue = decl !== undefined && !isList && decl.type !== undefined && decl.type !== 'object' && decl.type !== 'any';
      if (!isScalarValue) {
        inner = { contexts: [...scope.contexts, { root: false, shape: isList ? itemShape(shape) : shape }], blockParams: scope.blockParams };
      }
    }
    this.visitProgram(block.program, inner);
    // `{{else}}` runs in the context outside the block.
    this.visitProgram(block.inverse, scope);
  }

  private visitExpression(node: HbsNode | undefined, scope: Scope): Shape | undefined {
    if (!node) return undefined;
    if (node.type === 'SubExpression') return this.visitCall(node as HbsCall, scope, 'sub');
    if (isPath(node)) return this.resolvePath(node, scope);
    return undefined;
  }

  /** Resolves a path against the scope: records root uses, checks properties against known shapes. */
  private resolvePath(path: HbsPath, scope: Scope): Shape | undefined {
    const range = this.hbsRange(path.loc);
    const parts = path.parts ?? [];
    if (path.data) {
      if (parts[0] !== 'root') return undefined; // @index, @key, @first, @metadata…
      if (parts.length === 1) {
        this.rootWholeUsed = true;
        return undefined;
      }
      return this.rootUse(parts.slice(1), range);
    }
    const scoped = /^\.|this\b/.test(path.original);
    if (!path.depth && !scoped && parts.length) {
      for (const params of scope.blockParams) {
        if (params.has(parts[0])) {
          const bound = params.get(parts[0]);
          return this.walk(bound, parts, 1, range, code(parts[0]));
        }
      }
    }
    const frameIndex = Math.max(0, scope.contexts.length - 1 - (path.depth || 0));
    const frame = scope.contexts[frameIndex];
    if (frame.root) {
      if (!parts.length) {
        this.rootWholeUsed = true;
        return frame.shape;
      }
      return this.rootUse(parts, range);
    }
    if (!parts.length) return frame.shape;
    return this.walk(frame.shape, parts, 0, range, frame.shape?.label ?? 'this');
  }

  private rootUse(parts: string[], range: TextRange): Shape | undefined {
    const name = parts[0];
    this.result.uses.push({ name, path: parts.join('.'), range });
    const decl = this.declaredByName.get(name);
    if (!decl) return undefined;
    return this.walk({ decl, label: code(name) }, parts, 1, range, code(name));
  }

  /** Follows `parts[from..]` through a shape, reporting a property a closed object doesn't have. */
  private walk(shape: Shape | undefined, parts: string[], from: number, range: TextRange, label: string): Shape | undefined {
    let current = shape;
    let where = label;
    for (let i = from; i < parts.length; i++) {
      const decl = current?.decl;
      if (!decl) return undefined;
      const part = parts[i];
      if (decl.items !== undefined || decl.type?.endsWith('[]')) {
        if (/^\d+$/.test(part)) {
          current = decl.items ? { decl: decl.items, label: `the items of ${where}` } : undefined;
          where = current?.label ?? where;
          continue;
        }
        return undefined; // length and friends
      }
      const props = decl.properties;
      if (!props) return undefined;
      const found = props.find((p) => p.name === part);
      if (!found) {
        if (decl.closed) {
          const suggestions = closest(part, props.map((p) => p.name), 2);
          const listed = props.length ? ` (it has ${props.slice(0, 8).map((p) => p.name).join(', ')}${props.length > 8 ? ', …' : ''})` : '';
          this.problem(range, 'warning', 'unknown-property',
            `${code(part)} is not a property of ${where} in the input schema${listed}, so it renders empty.${didYouMean(suggestions)}`,
            suggestions);
        }
        return undefined;
      }
      current = { decl: found, label: code(parts.slice(0, i + 1).join('.')) };
      where = current.label;
    }
    return current;
  }

  // --- Declared vs used --------------------------------------------------------------------------

  /**
   * Undeclared uses are warnings when the prompt declares its input (`input.schema` or
   * `input.default`), and only info when it declares nothing: then every variable is "undeclared"
   * and the values come from test cases, which is a legitimate way to write a prompt.
   */
  private crossCheck(): void {
    // With a broken body or frontmatter, declared-vs-used would be guesses on top of a real error.
    if (!this.bodyParsed || this.frontmatterBroken) return;
    const knownVariables = new Set(this.options.knownVariables ?? []);
    if (!this.inputOpen) {
      const names = [...this.declaredByName.keys()];
      for (const use of this.result.uses) {
        if (this.declaredByName.has(use.name) || knownVariables.has(use.name)) continue;
        const suggestions = closest(use.name, names, 2);
        if (this.hasDeclarations) {
          this.problem(use.range, 'warning', 'undefined-variable',
            `${code(use.name)} is not declared in \`input.schema\` or \`input.default\`, so it renders empty unless the input provides it.${didYouMean(suggestions)}`,
            suggestions);
        } else {
          this.problem(use.range, 'info', 'undefined-variable',
            `${code(use.name)} is not declared: add it under \`input.schema\` (or give it a value under \`input.default\`) so Prompt Loop can check it and ask for it.`);
        }
      }
    }
    if (!this.rootWholeUsed && !this.result.partialsUsed.length) {
      const used = new Set(this.result.uses.map((u) => u.name));
      for (const v of this.result.declared) {
        if (used.has(v.name) || !v.range) continue;
        this.problem(v.range, 'info', 'unused-variable', `${code(v.name)} is declared but the template never uses it.`);
      }
    }
    const knownPartials = this.options.knownPartials;
    if (knownPartials) {
      for (const partial of this.result.partialsUsed) {
        if (knownPartials.includes(partial.name) || this.inlinePartials.has(partial.name)) continue;
        const suggestions = closest(partial.name, knownPartials, 2);
        const file = partial.name.includes('/') ? partial.name.replace(/([^/]+)$/, '_$1') : `_${partial.name}`;
        this.problem(partial.range, 'error', 'unknown-partial',
          `Partial ${code(partial.name)} was not found, so rendering will fail: create \`${file}.prompt\` beside this prompt.${didYouMean(suggestions)}`,
          suggestions);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

function mapGet(map: YAMLMap, key: string): Pair<unknown, unknown> | undefined {
  for (const pair of map.items) {
    const k = pair.key as YamlNode | null;
    if (isScalar(k) && k.value === key) return pair;
  }
  return undefined;
}

/** Picoschema's "type, description" split (same rule as Dotprompt's extractDescription). */
function extractDescription(input: string): [string, string | undefined] {
  if (!input.includes(',')) return [input, undefined];
  const match = /(.*?), *(.*)$/.exec(input);
  if (!match) return [input, undefined];
  return [match[1], match[2] || undefined];
}

function inferShape(name: string, value: unknown): DeclaredVariable {
  const v: DeclaredVariable = { name, optional: true, hasDefault: false, type: typeOfValue(value) };
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    if (value.length) {
      v.items = inferShape('', first);
      v.type = `${v.items.type ?? 'any'}[]`;
    } else {
      v.type = 'any[]';
    }
  } else if (value && typeof value === 'object') {
    v.properties = Object.entries(value as Record<string, unknown>).map(([k, x]) => inferShape(k, x));
    v.closed = false;
  }
  return v;
}

function itemShape(shape: Shape | undefined): Shape | undefined {
  const decl = shape?.decl;
  if (!decl) return undefined;
  if (decl.items) return { decl: decl.items, label: `the items of ${shape.label}` };
  return undefined;
}

/** The innermost `{{#name …}}` still open at the end of a body (used when Handlebars reports EOF). */
function unclosedBlock(body: string): { name: string; start: number; end: number } | undefined {
  const stack: { name: string; start: number; end: number }[] = [];
  const tag = /\{\{~?!--[\s\S]*?--~?\}\}|\{\{~?![\s\S]*?\}\}|\{\{~?\s*([#/^])\s*(?:>\s*|\*\s*)?([^\s}~]+)[^}]*\}\}/g;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    if (!m[1]) continue;
    const name = m[2];
    if (m[1] !== '/') stack.push({ name, start: m.index, end: m.index + m[0].length });
    else {
      const at = stack.map((s) => s.name).lastIndexOf(name);
      if (at >= 0) stack.length = at;
    }
  }
  return stack.pop();
}

/** The first `{{` (or comment) that is never closed, when there is one. */
function unclosedMustache(body: string): { start: number; end: number; comment: boolean } | undefined {
  const lineEnd = (from: number): number => {
    const m = /\r|\n/.exec(body.slice(from));
    return m ? from + m.index : body.length;
  };
  let i = body.indexOf('{{');
  while (i >= 0) {
    const head = body.slice(i, i + 6);
    if (/^\{\{~?!--/.test(head)) {
      const close = /--~?\}\}/.exec(body.slice(i + 4));
      if (!close) return { start: i, end: lineEnd(i), comment: true };
      i = body.indexOf('{{', i + 4 + close.index + close[0].length);
      continue;
    }
    const close = body.indexOf('}}', i + 2);
    const next = body.indexOf('{{', i + (body[i + 2] === '{' ? 3 : 2));
    if (close < 0 || (next >= 0 && next < close && !/^\{\{~?!/.test(head))) return { start: i, end: lineEnd(i), comment: false };
    i = body.indexOf('{{', close + 2);
  }
  return undefined;
}

const tokenWords: Record<string, string> = {
  EOF: 'the end of the text',
  CLOSE: '`}}`',
  CLOSE_UNESCAPED: '`}}}`',
  CLOSE_RAW_BLOCK: '`}}}}`',
  OPEN: '`{{`',
  OPEN_BLOCK: '`{{#`',
  OPEN_ENDBLOCK: 'a closing `{{/…}}`',
  OPEN_INVERSE: '`{{^`',
  OPEN_INVERSE_CHAIN: '`{{else …}}`',
  INVERSE: '`{{else}}`',
  OPEN_PARTIAL: '`{{>`',
  OPEN_SEXPR: '`(`',
  CLOSE_SEXPR: '`)`',
  OPEN_BLOCK_PARAMS: '`as |`',
  CLOSE_BLOCK_PARAMS: '`|`',
  ID: 'a name',
  STRING: 'a string',
  NUMBER: 'a number',
  BOOLEAN: 'true/false',
  UNDEFINED: 'undefined',
  NULL: 'null',
  DATA: 'an @variable',
  EQUALS: '`=`',
  SEP: '`.`',
  INVALID: 'an invalid character',
  CONTENT: 'text',
  COMMENT: 'a comment',
};

function describeToken(token: string): string {
  return tokenWords[token] ?? code(token);
}

function describeExpected(list: string): string {
  const tokens = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  const interesting = tokens.filter((t) => !['COMMENT', 'CONTENT', 'OPEN_RAW_BLOCK', 'OPEN_PARTIAL_BLOCK', 'OPEN_BLOCK', 'OPEN_INVERSE', 'OPEN', 'OPEN_UNESCAPED', 'OPEN_PARTIAL', 'UNDEFINED', 'NULL', 'BOOLEAN'].includes(t));
  const words = [...new Set((interesting.length ? interesting : tokens).map(describeToken))];
  if (!words.length) return '';
  return words.length > 4 ? `${words.slice(0, 4).join(', ')} or similar` : words.join(' or ');
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Analyzes a `.prompt` file's text. Never throws; positions are relative to `text` as given (a BOM
 * counts as one character). Problem codes, by severity:
 * - error: invalid-yaml, frontmatter-not-closed, frontmatter-not-mapping, template-syntax,
 *   unknown-helper, unknown-partial, helper-arguments (when rendering would throw), invalid-schema;
 * - warning: frontmatter-ignored, frontmatter-not-at-start, unknown-frontmatter-key, non-ollama-model,
 *   unknown-model, invalid-model, unknown-config-key, invalid-config-value, invalid-config, invalid-input,
 *   invalid-output-format, yaml-warning, undefined-variable, unknown-property, unknown-role,
 *   helper-arguments (when the text would be wrong but rendering works);
 * - info: unused-variable, undefined-variable when the prompt declares no input at all (values then
 *   come from test cases, a legitimate style), analysis-failed (an internal error; never expected).
 */
export function analyzePrompt(text: string, options: AnalyzeOptions = {}): PromptAnalysis {
  try {
    return new Analyzer(typeof text === 'string' ? text : String(text), options ?? {}).run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      problems: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'info', code: 'analysis-failed', message: `Prompt Loop could not check this file (${message}).` }],
      bodyStartLine: 0,
      declared: [],
      uses: [],
      helpersUsed: [],
      partialsUsed: [],
    };
  }
}

function contains(range: TextRange, p: Position): boolean {
  const afterStart = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.character);
  const beforeEnd = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.character);
  return afterStart && beforeEnd;
}

/** The variable use under (or right after) a position, for hover. */
export function variableAt(analysis: PromptAnalysis, position: Position): VariableUse | undefined {
  return analysis.uses.find((u) => contains(u.range, position));
}

const pathChar = /[\p{L}\p{N}_$\-.@/]/u;

/**
 * What completion applies at a position: a variable inside `{{ … }}` in the body (not in comments,
 * strings or partial names), or a model after `model:` at the top level of the frontmatter.
 */
export function completionContext(text: string, position: Position): CompletionContext | undefined {
  try {
    const index = new LineIndex(text);
    if (position.line < 0 || position.line >= index.lineCount) return undefined;
    const layout = layoutOf(index);
    const lineText = index.lineText(position.line);
    const character = Math.max(0, Math.min(position.character, lineText.length));
    const inFrontmatter = layout.opened && position.line > 0 && (layout.closeLine === undefined || position.line < layout.closeLine);
    if (inFrontmatter) {
      const m = /^model[ \t]*:[ \t]*(["']?)/.exec(lineText);
      if (!m || character < m[0].length) return undefined;
      const prefix = lineText.slice(m[0].length, character);
      if (/[\s#"']/.test(prefix)) return undefined;
      let end = character;
      while (end < lineText.length && !/[\s#"']/.test(lineText[end])) end++;
      return {
        kind: 'model',
        prefix,
        range: { start: { line: position.line, character: m[0].length }, end: { line: position.line, character } },
        replaceRange: { start: { line: position.line, character: m[0].length }, end: { line: position.line, character: end } },
      };
    }
    if (layout.opened && position.line < layout.bodyStartLine) return undefined;
    const offset = index.offsetAt({ line: position.line, character });
    const bodyStart = layout.bodyStartLine < index.lineCount ? index.starts[layout.bodyStartLine] : text.length;
    const windowStart = Math.max(bodyStart, offset - 4000);
    const before = text.slice(windowStart, offset);
    const comment = before.lastIndexOf('{{!--') >= 0 ? before.lastIndexOf('{{!--') : before.lastIndexOf('{{~!--');
    if (comment >= 0 && !/--~?\}\}/.test(before.slice(comment))) return undefined;
    const open = before.lastIndexOf('{{');
    if (open < 0) return undefined;
    const inside = before.slice(open + 2);
    if (inside.includes('}}')) return undefined;
    const opener = /^\{?~?\s*([!#/^>&*]?)/.exec(inside);
    const sigil = opener?.[1] ?? '';
    if (sigil === '!' || sigil === '>' || sigil === '*') return undefined;
    if (/^\{?~?\s*[#^]?\s*>/.test(inside)) return undefined; // {{#> partial-block}}
    if (((inside.match(/"/g)?.length ?? 0) % 2) === 1 || ((inside.match(/'/g)?.length ?? 0) % 2) === 1) return undefined;
    let start = character;
    while (start > 0 && pathChar.test(lineText[start - 1])) start--;
    let end = character;
    while (end < lineText.length && pathChar.test(lineText[end])) end++;
    const prefix = lineText.slice(start, character);
    const lead = inside.slice(0, inside.length - prefix.length);
    const firstToken = /^\{?~?\s*[#/^&]?\s*$/.test(lead);
    return {
      kind: 'variable',
      prefix,
      range: { start: { line: position.line, character: start }, end: { line: position.line, character } },
      replaceRange: { start: { line: position.line, character: start }, end: { line: position.line, character: end } },
      firstToken,
    };
  } catch {
    return undefined;
  }
}
