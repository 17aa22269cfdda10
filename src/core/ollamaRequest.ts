/**
 * The Ollama side of a rendered prompt: model names, options, messages and the
 * structured-output `format`, mapped from what Dotprompt produces.
 * Pure functions; every lossy step is reported as a warning instead of being dropped silently.
 */
import type { Message, Part } from 'dotprompt';

/** A chat role as Ollama's /api/chat accepts it. */
export type OllamaRole = 'system' | 'user' | 'assistant';

/** One message of an Ollama /api/chat request. */
export interface OllamaChatMessage {
  role: OllamaRole;
  content: string;
  /** Base64 image data (no `data:` prefix), taken from media parts with `data:` URLs. */
  images?: string[];
}

/** A mapped value plus what could not be mapped. */
export interface Mapped<T> {
  value: T;
  warnings: string[];
}

const ollamaPrefix = 'ollama/';

/**
 * Provider prefixes of Dotprompt/Genkit model names that are not Ollama. Other names with a
 * slash stay Ollama names, because Ollama has namespaced models (`user/model`, `hf.co/org/model`).
 */
const otherProviders = new Set([
  'anthropic',
  'aws-bedrock',
  'azure-openai',
  'azureopenai',
  'bedrock',
  'cohere',
  'compat-oai',
  'deepseek',
  'gemini',
  'googleai',
  'groq',
  'mistral',
  'openai',
  'openrouter',
  'perplexity',
  'together',
  'vertexai',
  'xai',
]);

/** How a model is named in the product: the server's name without the default `:latest` tag ("llama3.2:latest" → "llama3.2"). */
export function shortModelName(name: string): string {
  return name.replace(/:latest$/, '');
}

/** "ollama/llama3.2" → "llama3.2"; "llama3.2" → "llama3.2"; another provider ("googleai/gemini") → undefined. */
export function toOllamaModelName(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.startsWith(ollamaPrefix)) {
    const rest = trimmed.slice(ollamaPrefix.length).trim();
    return rest === '' ? undefined : rest;
  }
  const slash = trimmed.indexOf('/');
  if (slash > 0 && otherProviders.has(trimmed.slice(0, slash).toLowerCase())) return undefined;
  return trimmed === '' ? undefined : trimmed;
}

/** Dotprompt's model-agnostic config keys and the Ollama option each one becomes. */
const dotpromptConfigKeys: Readonly<Record<string, string>> = {
  temperature: 'temperature',
  maxOutputTokens: 'num_predict',
  topK: 'top_k',
  topP: 'top_p',
  stopSequences: 'stop',
};

/** Ollama's documented model options (api.Options and api.Runner). */
const ollamaOptionKeys = new Set([
  'embedding_only',
  'f16_kv',
  'frequency_penalty',
  'logits_all',
  'low_vram',
  'main_gpu',
  'min_p',
  'mirostat',
  'mirostat_eta',
  'mirostat_tau',
  'num_batch',
  'num_ctx',
  'num_gpu',
  'num_keep',
  'num_predict',
  'num_thread',
  'numa',
  'penalize_newline',
  'presence_penalty',
  'repeat_last_n',
  'repeat_penalty',
  'seed',
  'stop',
  'temperature',
  'tfs_z',
  'top_k',
  'top_p',
  'typical_p',
  'use_mlock',
  'use_mmap',
  'vocab_only',
]);

/** Options Ollama only accepts as numbers; a string "0.7" would be rejected by the server. */
const numericOptions = new Set([
  'frequency_penalty',
  'min_p',
  'mirostat',
  'mirostat_eta',
  'mirostat_tau',
  'num_batch',
  'num_ctx',
  'num_gpu',
  'num_keep',
  'num_predict',
  'num_thread',
  'presence_penalty',
  'repeat_last_n',
  'repeat_penalty',
  'seed',
  'temperature',
  'tfs_z',
  'top_k',
  'top_p',
  'typical_p',
]);

const camelToSnake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Dotprompt `config` → Ollama options, with a warning for each key that is not sent or is changed.
 * Dotprompt keys are renamed (maxOutputTokens→num_predict, topK→top_k, topP→top_p, stopSequences→stop);
 * snake_case and lowercase keys pass through as Ollama-native; a camelCase spelling of an Ollama option
 * (`numCtx`) is accepted; any other camelCase key is dropped with a warning. When a Dotprompt key and its
 * Ollama-native twin are both set, the native key wins.
 */
export function mapOllamaOptions(config: Record<string, unknown>): Mapped<Record<string, unknown>> {
  const warnings: string[] = [];
  const options: Record<string, unknown> = {};
  const sourceOf = new Map<string, string>();
  const native: [string, unknown][] = [];
  const set = (target: string, key: string, value: unknown): void => {
    const earlier = sourceOf.get(target);
    if (earlier !== undefined) warnings.push(`config.${earlier} and config.${key} both set the Ollama option ${target}; using config.${key}.`);
    const checked = checkOptionValue(target, key, value, warnings);
    if (checked === undefined) return;
    options[target] = checked;
    sourceOf.set(target, key);
  };
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    const renamed = dotpromptConfigKeys[key];
    if (renamed !== undefined && renamed !== key) {
      set(renamed, key, value);
    } else if (/[A-Z]/.test(key)) {
      const snake = camelToSnake(key);
      if (ollamaOptionKeys.has(snake)) set(snake, key, value);
      else warnings.push(`config.${key} is neither a Dotprompt config key nor an Ollama option, so it is not sent (Ollama options are snake_case, e.g. num_ctx, repeat_penalty).`);
    } else {
      native.push([key, value]);
    }
  }
  // Native keys last, so that an explicit Ollama option beats its Dotprompt spelling.
  for (const [key, value] of native) set(key, key, value);
  return { value: options, warnings };
}

function checkOptionValue(target: string, key: string, value: unknown, warnings: string[]): unknown {
  if (target === 'stop') {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    warnings.push(`config.${key} must be a list of strings; it is not sent.`);
    return undefined;
  }
  if (numericOptions.has(target) && (typeof value !== 'number' || !Number.isFinite(value))) {
    warnings.push(`config.${key} must be a number (got ${JSON.stringify(value)}); it is not sent.`);
    return undefined;
  }
  return value;
}

/** Dotprompt `config` → Ollama options (see {@link mapOllamaOptions}; this drops the warnings). */
export function toOllamaOptions(config: Record<string, unknown>): Record<string, unknown> {
  return mapOllamaOptions(config).value;
}

/**
 * Dotprompt `output` → Ollama `format`: a schema (already JSON schema) becomes the format itself,
 * `format: json` without a schema becomes "json", text needs no format.
 */
export function mapOllamaFormat(
  output: { format?: unknown; schema?: unknown } | undefined,
): Mapped<string | Record<string, unknown> | undefined> {
  const warnings: string[] = [];
  const format = output?.format;
  const schema = output?.schema;
  const hasSchema = schema !== undefined && schema !== null;
  if (format !== undefined && typeof format !== 'string') {
    warnings.push('output.format must be a string such as json or text; it is ignored.');
    return { value: hasSchema ? asSchema(schema) : undefined, warnings };
  }
  switch (format) {
    case undefined:
    case 'json':
    case 'array':
    case 'enum':
      if (hasSchema) return { value: asSchema(schema), warnings };
      if (format === 'enum') warnings.push('output.format enum needs an output.schema listing the values; the answer is not constrained.');
      return { value: format === undefined || format === 'enum' ? undefined : 'json', warnings };
    case 'text':
      if (hasSchema) warnings.push('output.schema is ignored because output.format is text.');
      return { value: undefined, warnings };
    default:
      warnings.push(`output.format ${format} has no Ollama equivalent; the answer is requested as ${hasSchema ? 'JSON matching output.schema' : 'plain text'}.`);
      return { value: hasSchema ? asSchema(schema) : undefined, warnings };
  }
}

const asSchema = (schema: unknown): Record<string, unknown> =>
  typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>) : { type: schema };

const roleMap: Readonly<Record<string, OllamaRole>> = { system: 'system', user: 'user', model: 'assistant' };

/**
 * Dotprompt messages → Ollama chat messages: system/user/model → system/user/assistant, the text parts
 * of a message concatenated, images from `data:` URLs; everything else is reported in the warnings.
 */
export function toOllamaMessages(messages: Message[]): Mapped<OllamaChatMessage[]> {
  const warnings: string[] = [];
  const out = messages.map((message): OllamaChatMessage => {
    const role = mapRole(message.role, warnings);
    let content = '';
    const images: string[] = [];
    for (const part of message.content) {
      const text = partText(part, images, warnings);
      if (text !== undefined) content += text;
    }
    return images.length > 0 ? { role, content, images } : { role, content };
  });
  return { value: out, warnings };
}

function mapRole(role: string, warnings: string[]): OllamaRole {
  const mapped = roleMap[role];
  if (mapped !== undefined) return mapped;
  if (role === 'assistant') {
    warnings.push('Role "assistant" is not a Dotprompt role; write {{role "model"}}. Sent as assistant.');
    return 'assistant';
  }
  warnings.push(`Role "${role}" has no Ollama equivalent here; its message is sent as user.`);
  return 'user';
}

function partText(part: Part, images: string[], warnings: string[]): string | undefined {
  if (typeof part.text === 'string') return part.text;
  if (part.media) {
    const image = imageData(part.media.url, part.media.contentType, warnings);
    if (image !== undefined) images.push(image);
    return undefined;
  }
  if (part.data) {
    warnings.push('A data part is not sent to Ollama (only text and images are).');
    return undefined;
  }
  if (part.toolRequest || part.toolResponse) {
    warnings.push('Tool requests and responses are not sent to Ollama by Prompt Loop.');
    return undefined;
  }
  // Section markers ({{section}}) are metadata-only parts with no content to send.
  return undefined;
}

const dataUrlPattern = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

function imageData(url: string, contentType: string | undefined, warnings: string[]): string | undefined {
  const shown = url.length > 80 ? `${url.slice(0, 77)}...` : url;
  const match = dataUrlPattern.exec(url);
  if (!match) {
    warnings.push(`Media ${shown} is not sent: Ollama takes images as base64 data, so give a data: URL (data:image/png;base64,...).`);
    return undefined;
  }
  const [, urlType, params, payload] = match;
  const type = (contentType ?? urlType).toLowerCase();
  if (type !== '' && !type.startsWith('image/')) {
    warnings.push(`Media of type ${type} is not sent: Ollama accepts images only.`);
    return undefined;
  }
  if (!params.split(';').includes('base64')) {
    warnings.push(`Media ${shown} is not sent: only base64 data: URLs are supported.`);
    return undefined;
  }
  return payload;
}
