/**
 * `.prompt` (Dotprompt) files → Ollama /api/chat requests.
 *
 * Parsing and rendering are Dotprompt's own (`dotprompt` package); this module adds what a local
 * editor loop needs around it: frontmatter errors with line numbers instead of Dotprompt's silent
 * fallback, frontmatter `input.default` applied (Dotprompt's `render` ignores it), partials read fresh
 * from the prompt's folder on every render, and the mapping to Ollama (ollamaRequest.ts).
 */
import { Dotprompt, picoschema } from 'dotprompt';
import type { Message, ParsedPrompt, PromptMetadata, RenderedPrompt as DotpromptRenderedPrompt } from 'dotprompt';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { mapOllamaFormat, mapOllamaOptions, toOllamaMessages, toOllamaModelName } from './ollamaRequest';
import type { OllamaChatMessage } from './ollamaRequest';
import { normalizePromptText, withScopedPartials } from './partials';
import type { PartialLookup } from './partials';

export { mapOllamaFormat, mapOllamaOptions, shortModelName, toOllamaMessages, toOllamaModelName, toOllamaOptions } from './ollamaRequest';
export type { Mapped, OllamaChatMessage, OllamaRole } from './ollamaRequest';
export { folderPartialResolver, normalizePromptText } from './partials';
export type { PartialLookup } from './partials';

/** The frontmatter namespace of Prompt Loop's own keys (`promptLoop.cases: ./summarize.cases.yaml`). */
export const productExtKey = 'promptLoop';

/** Something in the file worth a squiggle that does not stop it from rendering. Lines are 0-based. */
export interface PromptProblem {
  message: string;
  line?: number;
  column?: number;
}

/** A parsed `.prompt` file. Lines are 0-based. */
export interface PromptDocument {
  /** The model as written in the frontmatter, e.g. "ollama/llama3.2". */
  rawModel?: string;
  /** The Ollama model name: "ollama/" removed; undefined (with a problem) for other providers. */
  model?: string;
  /** Frontmatter `config` as written. */
  config: Record<string, unknown>;
  /**
   * Input JSON schema, picoschema converted. Only set once schemas are resolved (`renderPrompt`,
   * `parsePromptWithSchemas`): Dotprompt converts picoschema asynchronously, so the synchronous
   * `parsePrompt` leaves it undefined and gives `inputSchemaSource`.
   */
  inputSchema?: Record<string, unknown>;
  /** Frontmatter `input.default`. */
  inputDefaults: Record<string, unknown>;
  /** Frontmatter `output.format` ('json' | 'text' | …). */
  outputFormat?: string;
  /** Output JSON schema, picoschema converted; resolved like `inputSchema`. */
  outputSchema?: Record<string, unknown>;
  /**
   * Namespaced frontmatter keys, as Dotprompt gathers them: a key with a dot is split at its LAST dot,
   * so `promptLoop.cases: ./x.yaml` is `ext.promptLoop.cases`, while `promptLoop.a.b: 1` is
   * `ext["promptLoop.a"].b` (not nested). Dotprompt ignores a nested map (`promptLoop:` then indented
   * `cases: …`: it is kept only in `raw`); Prompt Loop folds a nested `promptLoop:` map into
   * `ext.promptLoop` too, the dotted keys winning. A key named `ext` in the frontmatter is dropped.
   */
  ext: Record<string, Record<string, unknown>>;
  /** The Handlebars body. Dotprompt trims it when there is a frontmatter and keeps it whole when there is none. */
  template: string;
  /** The frontmatter as parsed, with no processing. */
  raw: Record<string, unknown>;
  /** `input.schema` as written (picoschema or JSON schema). */
  inputSchemaSource?: unknown;
  /** `output.schema` as written (picoschema or JSON schema). */
  outputSchemaSource?: unknown;
  /** Whether `inputSchema`/`outputSchema` have been converted. */
  schemasResolved: boolean;
  name?: string;
  description?: string;
  variant?: string;
  version?: string;
  hasFrontmatter: boolean;
  /** Line where `template` starts in the file. */
  templateLine: number;
  /** Warnings about the file (ignored keys, non-Ollama model, unsupported config…). */
  problems: PromptProblem[];
}

/** Invalid frontmatter; `line`/`column` are 0-based positions in the file when known. */
export class PromptParseError extends Error {
  line?: number;
  column?: number;
  constructor(message: string, line?: number, column?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PromptParseError';
    this.line = line;
    this.column = column;
  }
}

/** The body failed to render (Handlebars syntax, unknown helper, missing partial); lines are 0-based in the file. */
export class PromptRenderError extends Error {
  line?: number;
  column?: number;
  /** The missing partial, when that is the cause. */
  partial?: string;
  constructor(message: string, details: { line?: number; column?: number; partial?: string; cause?: unknown } = {}) {
    super(message, { cause: details.cause });
    this.name = 'PromptRenderError';
    this.line = details.line;
    this.column = details.column;
    this.partial = details.partial;
  }
}

/** How to render: partials, `@` variables and history, as Dotprompt takes them. */
export interface RenderOptions {
  /** Source of partial `name` (see `folderPartialResolver`); asked only for partials not in `partials`. */
  resolvePartial?: PartialLookup;
  /** Exposed to the template as `@` variables: `{state: {n: 1}}` is `{{@state.n}}`. */
  context?: Record<string, unknown>;
  /** Conversation history, inserted by `{{history}}` (or after a leading system message), as Dotprompt does. */
  messages?: Message[];
  /** Partials registered for this render only. */
  partials?: Record<string, string>;
  /** Named schemas that picoschema may refer to (`schema: Foo`). */
  schemas?: Record<string, Record<string, unknown>>;
  /** Metadata laid over the frontmatter, as Dotprompt's render options (e.g. `input.default`). */
  metadata?: PromptMetadata;
}

/** A prompt rendered into exactly what goes to Ollama, plus how it got there. */
export interface RenderedPrompt {
  /** The file, with schemas resolved. */
  doc: PromptDocument;
  model?: string;
  /** Exactly what goes to Ollama /api/chat. */
  messages: OllamaChatMessage[];
  /** Ollama options. */
  options: Record<string, unknown>;
  /** Ollama structured output: a JSON schema, or "json". */
  format?: string | Record<string, unknown>;
  /** Effective input: defaults merged with the given input. */
  input: Record<string, unknown>;
  warnings: string[];
  /** Dotprompt's own rendering (messages as role + parts, resolved metadata with `input`), before the Ollama mapping. */
  dotprompt: DotpromptRenderedPrompt;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Dotprompt's parse is stateless; one instance serves every `parsePrompt`. */
const parser = new Dotprompt();

interface ParsedSource {
  doc: PromptDocument;
  /** Dotprompt's parse of the normalized source. */
  parsed: ParsedPrompt;
  /** 0-based file position of a frontmatter key path, e.g. ['output', 'schema']. */
  locate: (keys: string[]) => { line: number; column: number } | undefined;
}

interface Frontmatter {
  yaml: string;
  body: string;
  /** File line of the first YAML line. */
  yamlLine: number;
  /** File line of the first body line. */
  bodyLine: number;
}

/** A `---` line, with trailing whitespace as Dotprompt's own splitter (`---\s*`) allows. */
const fenceLine = /^---\s*$/;

function splitFrontmatter(text: string, problems: PromptProblem[]): Frontmatter | undefined {
  const lines = text.split('\n');
  if (!fenceLine.test(lines[0])) {
    const first = lines.findIndex((l) => l.trim() !== '');
    if (first > 0 && fenceLine.test(lines[first])) {
      problems.push({ line: first, column: 0, message: 'A frontmatter must start on the very first line; as it is, these lines are sent to the model as prompt text.' });
    }
    return undefined;
  }
  const close = lines.findIndex((l, i) => i > 0 && fenceLine.test(l));
  if (close < 0) throw new PromptParseError('The frontmatter opened by --- on line 1 is never closed: add a line with --- after it.', 0, 0);
  return { yaml: lines.slice(1, close).join('\n'), body: lines.slice(close + 1).join('\n'), yamlLine: 1, bodyLine: close + 1 };
}

function parseSource(source: string): ParsedSource {
  const text = normalizePromptText(source);
  const problems: PromptProblem[] = [];
  const fm = splitFrontmatter(text, problems);
  if (!fm) {
    const parsed = parser.parse(text);
    return { parsed, locate: () => undefined, doc: buildDocument(parsed, {}, problems, false, 0, () => undefined) };
  }

  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(fm.yaml, { lineCounter, prettyErrors: false });
  const position = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: fm.yamlLine + Math.max(pos.line, 1) - 1, column: Math.max(pos.col, 1) - 1 };
  };
  const yamlError = yamlDoc.errors[0];
  if (yamlError) {
    const at = position(yamlError.pos[0]);
    throw new PromptParseError(`Invalid YAML in the frontmatter: ${yamlError.message}`, at.line, at.column, { cause: yamlError });
  }
  for (const warning of yamlDoc.warnings) problems.push({ message: `Frontmatter YAML: ${warning.message}`, ...position(warning.pos[0]) });
  let raw: unknown;
  try {
    raw = yamlDoc.toJS();
  } catch (error) {
    throw new PromptParseError(`Invalid YAML in the frontmatter: ${(error as Error).message}`, fm.yamlLine, 0, { cause: error });
  }
  if (raw !== null && raw !== undefined && !isRecord(raw)) {
    throw new PromptParseError('The frontmatter must be YAML key: value pairs (a mapping), e.g. model: ollama/llama3.2', fm.yamlLine, 0);
  }

  const locate = (keys: string[]) => {
    let node: unknown = yamlDoc.contents;
    let found: { line: number; column: number } | undefined;
    for (const key of keys) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair || !isScalar(pair.key) || !pair.key.range) break;
      found = position(pair.key.range[0]);
      node = pair.value;
    }
    return found;
  };

  // Dotprompt's splitter needs a non-empty frontmatter (`---\n---` is otherwise sent as text); hand it
  // exactly the frontmatter validated above.
  const yamlText = raw === null || raw === undefined ? '{}' : fm.yaml;
  const parsed = parser.parse(`---\n${yamlText}\n---\n${fm.body}`);
  if (!parsed.raw) throw new PromptParseError('Dotprompt could not read the frontmatter.', fm.yamlLine, 0);
  const leading = /^\s*/.exec(fm.body)?.[0] ?? '';
  const templateLine = fm.bodyLine + (leading.match(/\n/g)?.length ?? 0);
  return { parsed, locate, doc: buildDocument(parsed, parsed.raw as Record<string, unknown>, problems, true, templateLine, locate) };
}

const configLikeKeys = new Set(['temperature', 'maxOutputTokens', 'topK', 'topP', 'stopSequences', 'num_ctx', 'seed', 'num_predict', 'top_k', 'top_p', 'stop', 'repeat_penalty']);

function buildDocument(
  parsed: ParsedPrompt,
  raw: Record<string, unknown>,
  problems: PromptProblem[],
  hasFrontmatter: boolean,
  templateLine: number,
  locate: ParsedSource['locate'],
): PromptDocument {
  const at = (...keys: string[]) => locate(keys) ?? {};
  const requireMap = (value: unknown, keys: string[], what: string): Record<string, unknown> | undefined => {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    const where = locate(keys);
    throw new PromptParseError(`${keys.join('.')} must be a mapping of ${what}.`, where?.line, where?.column);
  };
  const optionalString = (key: string): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    problems.push({ ...at(key), message: `${key} must be a string; it is ignored.` });
    return undefined;
  };

  if (raw.model !== undefined && raw.model !== null && typeof raw.model !== 'string') {
    const where = locate(['model']);
    throw new PromptParseError('model must be a string such as ollama/llama3.2.', where?.line, where?.column);
  }
  const rawModel = optionalString('model');
  const model = rawModel === undefined ? undefined : toOllamaModelName(rawModel);
  if (rawModel !== undefined && model === undefined) {
    problems.push({ ...at('model'), message: `Model "${rawModel}" is not an Ollama model: write ollama/<name> or a bare Ollama model name such as llama3.2.` });
  }

  const config = requireMap(raw.config, ['config'], 'model options (temperature: 0.2)') ?? {};
  for (const message of mapOllamaOptions(config).warnings) {
    const key = /^config\.(\S+?) /.exec(message)?.[1];
    problems.push({ ...(key !== undefined ? at('config', key) : at('config')), message });
  }

  const input = requireMap(raw.input, ['input'], 'schema: and default:');
  const inputDefaults = requireMap(input?.default, ['input', 'default'], 'input values') ?? {};
  const output = requireMap(raw.output, ['output'], 'format: and schema:');
  for (const message of mapOllamaFormat(output).warnings) problems.push({ ...at('output', 'format'), message });

  if (raw.tools !== undefined || raw.toolDefs !== undefined) {
    problems.push({ ...at(raw.tools !== undefined ? 'tools' : 'toolDefs'), message: 'Tools are not sent to Ollama by Prompt Loop; the prompt runs without them.' });
  }

  const ext: Record<string, Record<string, unknown>> = {};
  for (const [ns, fields] of Object.entries(parsed.ext ?? {})) ext[ns] = { ...(fields as Record<string, unknown>) };
  const nested = raw[productExtKey];
  if (nested !== undefined && nested !== null) {
    if (!isRecord(nested)) {
      const where = locate([productExtKey]);
      throw new PromptParseError(`${productExtKey} must be a mapping (e.g. cases: ./x.cases.yaml).`, where?.line, where?.column);
    }
    ext[productExtKey] = { ...nested, ...ext[productExtKey] };
  }

  const kept = parsed as unknown as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key.includes('.') || key === productExtKey || Object.is(kept[key], raw[key])) continue;
    const hint = configLikeKeys.has(key)
      ? ` Did you mean config.${key}?`
      : ` Model options go under config:, and your own keys under a namespace such as ${productExtKey}.${key}.`;
    problems.push({ ...at(key), message: `"${key}" is not a Dotprompt frontmatter key, so it is ignored.${hint}` });
  }

  return {
    rawModel,
    model,
    config,
    inputDefaults,
    outputFormat: typeof output?.format === 'string' ? output.format : undefined,
    ext,
    template: parsed.template,
    raw,
    inputSchemaSource: input?.schema ?? undefined,
    outputSchemaSource: output?.schema ?? undefined,
    schemasResolved: false,
    name: optionalString('name'),
    description: optionalString('description'),
    variant: optionalString('variant'),
    version: optionalString('version'),
    hasFrontmatter,
    templateLine,
    problems,
  };
}

/** Parse a `.prompt` file (sync; schemas stay unconverted). Throws PromptParseError on invalid frontmatter. */
export function parsePrompt(source: string): PromptDocument {
  return parseSource(source).doc;
}

/** The one Dotprompt configuration every render and schema resolution goes through. */
function createDotprompt(options: RenderOptions): Dotprompt {
  const lookup = options.resolvePartial;
  const dotprompt: Dotprompt = new Dotprompt({
    schemas: options.schemas,
    partialResolver: lookup
      ? async (name: string) => {
          const source = await lookup(name);
          if (source === undefined) return null;
          // Dotprompt skips a falsy source, which would turn an empty partial file into "not found".
          if (source === '') dotprompt.definePartial(name, '');
          return source === '' ? null : normalizePromptText(source);
        }
      : undefined,
  });
  return dotprompt;
}

/** Resolve schemas through Dotprompt; picoschema mistakes become PromptParseErrors at the schema's line. */
async function resolveMetadata(ps: ParsedSource, dotprompt: Dotprompt, options: RenderOptions, metadata?: PromptMetadata): Promise<PromptMetadata> {
  try {
    return await dotprompt.renderMetadata(ps.parsed, metadata);
  } catch (error) {
    const schemaResolver = (name: string) => options.schemas?.[name] ?? null;
    let keys = ['output', 'schema'];
    try {
      await picoschema(ps.doc.inputSchemaSource, { schemaResolver });
    } catch {
      keys = ['input', 'schema'];
    }
    const where = ps.locate(keys);
    throw new PromptParseError(`${keys.join('.')}: ${(error as Error).message}`, where?.line, where?.column, { cause: error });
  }
}

/**
 * Picoschema leaves `required: undefined` on objects without required fields (Dotprompt strips undefined
 * before converting, not after); drop such holes so the schema is exactly what JSON carries to Ollama.
 */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, withoutUndefined(v)]));
}

function withSchemas(doc: PromptDocument, meta: PromptMetadata): PromptDocument {
  const inputSchema = withoutUndefined(meta.input?.schema);
  const outputSchema = withoutUndefined(meta.output?.schema);
  return {
    ...doc,
    inputSchema: isRecord(inputSchema) ? inputSchema : undefined,
    outputSchema: isRecord(outputSchema) ? outputSchema : undefined,
    schemasResolved: true,
  };
}

/** Parse a `.prompt` file and convert its picoschemas to JSON schema; throws PromptParseError. */
export async function parsePromptWithSchemas(source: string, options: Pick<RenderOptions, 'schemas'> = {}): Promise<PromptDocument> {
  const ps = parseSource(source);
  return withSchemas(ps.doc, await resolveMetadata(ps, createDotprompt(options), options));
}

const knownHelpers = 'role, history, media, section, json, ifEquals, unlessEquals, and Handlebars’ if, unless, each, with, lookup, log';

/** Handlebars' errors speak in template lines; point them at the file instead. */
function toRenderError(error: unknown, doc: PromptDocument): PromptRenderError {
  if (!(error instanceof Error)) return new PromptRenderError(String(error), { cause: error });
  const fileLine = (templateLine: number) => doc.templateLine + templateLine - 1;
  const syntax = /^(?:Parse|Lexical) error on line (\d+)[:.]\s*/.exec(error.message);
  if (syntax) {
    return new PromptRenderError(`Template syntax error:\n${error.message.slice(syntax[0].length)}`, { line: fileLine(Number(syntax[1])), cause: error });
  }
  const partial = /^The partial (.+) could not be found$/.exec(error.message)?.[1];
  if (partial !== undefined) {
    const index = doc.template.search(new RegExp(`\\{\\{~?>\\s*${partial.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const line = index < 0 ? undefined : fileLine(doc.template.slice(0, index).split('\n').length);
    return new PromptRenderError(`Partial "${partial}" was not found: Dotprompt looks for a file named _${partial}.prompt beside the prompt.`, { line, partial, cause: error });
  }
  const located = error as Error & { lineNumber?: unknown; column?: unknown };
  const line = typeof located.lineNumber === 'number' ? fileLine(located.lineNumber) : undefined;
  const column = typeof located.column === 'number' ? located.column : undefined;
  const message = error.message.replace(/ - \d+:\d+$/, '');
  const helper = /^You specified knownHelpersOnly, but used the unknown helper (.+)$/.exec(message)?.[1];
  if (helper !== undefined) {
    return new PromptRenderError(`Unknown helper "${helper}": Dotprompt templates can use only ${knownHelpers}.`, { line, column, cause: error });
  }
  return new PromptRenderError(message, { line, column, cause: error });
}

/**
 * Render a `.prompt` file with `input` into the Ollama chat request it stands for.
 * Throws PromptParseError (frontmatter, schemas) or PromptRenderError (body, partials).
 */
export async function renderPrompt(source: string, input: Record<string, unknown>, options: RenderOptions = {}): Promise<RenderedPrompt> {
  const ps = parseSource(source);
  const dotprompt = createDotprompt(options);
  return withScopedPartials(dotprompt, options.partials, async () => {
    const meta = await resolveMetadata(ps, dotprompt, options, options.metadata);
    const doc = withSchemas(ps.doc, options.metadata ? await resolveMetadata(ps, dotprompt, options) : meta);
    const extraDefaults: unknown = options.metadata?.input?.default;
    // Dotprompt's render applies only the defaults given as render options, never the frontmatter's.
    const defaults = { ...doc.inputDefaults, ...(isRecord(extraDefaults) ? extraDefaults : {}) };
    let rendered: DotpromptRenderedPrompt;
    try {
      const renderFn = await dotprompt.compile(ps.parsed);
      rendered = await renderFn(
        { input, context: options.context, messages: options.messages },
        { ...options.metadata, input: { ...options.metadata?.input, default: defaults } },
      );
    } catch (error) {
      throw toRenderError(error, doc);
    }

    const effectiveInput = { ...defaults, ...input };
    const mappedOptions = mapOllamaOptions(isRecord(meta.config) ? meta.config : {});
    const mappedFormat = mapOllamaFormat(meta.output && { ...meta.output, schema: withoutUndefined(meta.output.schema) });
    const mappedMessages = toOllamaMessages(rendered.messages);
    const warnings = [
      ...doc.problems.map((p) => p.message),
      ...mappedOptions.warnings,
      ...mappedFormat.warnings,
      ...mappedMessages.warnings,
      ...missingInputs(doc.inputSchema, effectiveInput),
    ];
    return {
      doc,
      model: typeof meta.model === 'string' ? toOllamaModelName(meta.model) : undefined,
      messages: mappedMessages.value,
      options: mappedOptions.value,
      format: mappedFormat.value,
      input: effectiveInput,
      warnings: [...new Set(warnings)],
      dotprompt: meta.input === undefined ? rendered : { ...rendered, input: meta.input },
    };
  });
}

function missingInputs(schema: Record<string, unknown> | undefined, input: Record<string, unknown>): string[] {
  const required = schema?.required;
  if (!Array.isArray(required)) return [];
  return required.filter((key): key is string => typeof key === 'string' && input[key] === undefined).map((key) => `Input "${key}" is required by input.schema but was not given.`);
}
