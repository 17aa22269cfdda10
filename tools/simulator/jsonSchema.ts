import type { Rng } from './random';

/**
 * Builds a JSON value that conforms to a JSON schema, the way a model under
 * Ollama's grammar-constrained `format` would: every required property, most
 * optional ones, enums respected, numbers within bounds, strings made of words
 * from the prompt. Supports the schema subset Ollama turns into a grammar:
 * type (incl. unions with null), properties, required, items/prefixItems,
 * min/maxItems, enum, const, anyOf/oneOf/allOf, $ref into $defs/definitions,
 * minimum/maximum (exclusive too), multipleOf, min/maxLength and common string
 * formats. `pattern` is not honoured.
 */

type Schema = Record<string, unknown>;

export interface SchemaValueContext {
  rng: Rng;
  /** Content words of the prompt, used to make strings look on-topic. */
  words: readonly string[];
}

const fillerWords = [
  'clear', 'summary', 'result', 'detail', 'practical', 'example', 'overview', 'signal', 'focused',
  'useful', 'context', 'structure', 'balanced', 'insight', 'outline', 'evidence', 'point', 'theme',
];

const maxDepth = 8;

/** A value conforming to `schema` (a JSON schema object or boolean). */
export function valueForSchema(schema: unknown, ctx: SchemaValueContext): unknown {
  return build(schema, ctx, schema, 0, undefined);
}

function isSchema(x: unknown): x is Schema {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#')) return {};
  const path = ref.slice(1).split('/').filter(Boolean).map((p) => decodeURIComponent(p.replace(/~1/g, '/').replace(/~0/g, '~')));
  let node: unknown = root;
  for (const key of path) {
    if (!isSchema(node)) return {};
    node = node[key];
  }
  return node ?? {};
}

function build(schemaIn: unknown, ctx: SchemaValueContext, root: unknown, depth: number, propName: string | undefined): unknown {
  if (schemaIn === true || schemaIn === undefined) return phrase(ctx, 3);
  if (!isSchema(schemaIn)) return null;
  let schema: Schema = schemaIn;
  if (typeof schema.$ref === 'string') {
    const { $ref, ...rest } = schema;
    schema = { ...(resolveRef($ref, root) as Schema), ...rest };
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return ctx.rng.pick(schema.enum as unknown[]);
  if (Array.isArray(schema.allOf)) {
    const merged: Schema = { ...schema };
    delete merged.allOf;
    for (const part of schema.allOf) {
      const p = (isSchema(part) && typeof part.$ref === 'string' ? resolveRef(part.$ref, root) : part) as Schema;
      if (!isSchema(p)) continue;
      Object.assign(merged, p, {
        properties: { ...(merged.properties as Schema | undefined), ...(p.properties as Schema | undefined) },
        required: [...((merged.required as string[] | undefined) ?? []), ...((p.required as string[] | undefined) ?? [])],
      });
    }
    return build(merged, ctx, root, depth, propName);
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    // Prefer a non-null branch: a model asked for data rarely answers null.
    const nonNull = alternatives.filter((a) => !(isSchema(a) && a.type === 'null'));
    return build(nonNull[0] ?? alternatives[0], ctx, root, depth, propName);
  }

  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined) {
    if (isSchema(schema.properties)) type = 'object';
    else if (schema.items !== undefined || schema.prefixItems !== undefined) type = 'array';
    else type = 'string';
  }

  switch (type) {
    case 'object':
      return buildObject(schema, ctx, root, depth);
    case 'array':
      return buildArray(schema, ctx, root, depth, propName);
    case 'integer':
    case 'number':
      return buildNumber(schema, ctx, type === 'integer', propName);
    case 'boolean':
      return ctx.rng.chance(0.5);
    case 'null':
      return null;
    default:
      return buildString(schema, ctx, propName);
  }
}

function buildObject(schema: Schema, ctx: SchemaValueContext, root: unknown, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [key, sub] of Object.entries(properties)) {
    const include = required.has(key) || (depth < 4 && ctx.rng.chance(0.85));
    if (include && depth < maxDepth) out[key] = build(sub, ctx, root, depth + 1, key);
  }
  // Required keys without a property schema still have to be present.
  for (const key of required) {
    if (!(key in out)) out[key] = depth < maxDepth ? build(true, ctx, root, depth + 1, key) : '';
  }
  if (Object.keys(properties).length === 0 && schema.additionalProperties !== false && depth < maxDepth) {
    const count = ctx.rng.int(1, 2);
    for (let i = 0; i < count; i++) {
      const key = pickWord(ctx).replace(/[^a-z0-9]+/gi, '_').toLowerCase() || `key_${i}`;
      out[key] = build(isSchema(schema.additionalProperties) ? schema.additionalProperties : true, ctx, root, depth + 1, key);
    }
  }
  return out;
}

function buildArray(schema: Schema, ctx: SchemaValueContext, root: unknown, depth: number, propName: string | undefined): unknown[] {
  const prefix: unknown[] = Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : Array.isArray(schema.items) ? (schema.items as unknown[]) : [];
  const itemSchema = Array.isArray(schema.items) ? (schema.additionalItems ?? true) : (schema.items ?? true);
  const minItems = Math.max(typeof schema.minItems === 'number' ? schema.minItems : 0, prefix.length > 0 && schema.items === false ? prefix.length : 0);
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(minItems, 4);
  const count = depth >= maxDepth ? minItems : clamp(ctx.rng.int(2, 4), minItems, maxItems);
  const out: unknown[] = [];
  const singular = propName?.replace(/s$/, '');
  for (let i = 0; i < count; i++) {
    const sub = i < prefix.length ? prefix[i] : itemSchema;
    let value = build(sub, ctx, root, depth + 1, singular);
    if (schema.uniqueItems === true) {
      for (let attempt = 0; attempt < 8 && out.some((v) => JSON.stringify(v) === JSON.stringify(value)); attempt++) {
        value = build(sub, ctx, root, depth + 1, singular);
      }
      if (out.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
        if (out.length >= minItems) break;
      }
    }
    out.push(value);
  }
  return out;
}

function buildNumber(schema: Schema, ctx: SchemaValueContext, integer: boolean, propName: string | undefined): number {
  const name = (propName ?? '').toLowerCase();
  let [lo, hi] = /confidence|probability|ratio|share|weight/.test(name) ? [0, 1]
    : /score|rating|rank|stars/.test(name) ? [1, 10]
      : /year/.test(name) ? [1990, 2025]
        : /age/.test(name) ? [18, 80]
          : /price|cost|amount/.test(name) ? [1, 500]
            : /count|number|quantity|total|tokens/.test(name) ? [1, 20]
              : [0, 100];
  const num = (k: string): number | undefined => (typeof schema[k] === 'number' ? schema[k] : undefined);
  const min = num('minimum');
  const max = num('maximum');
  const exMin = num('exclusiveMinimum');
  const exMax = num('exclusiveMaximum');
  const step = integer ? 1 : 0.01;
  const floor = Math.max(min ?? -Infinity, exMin !== undefined ? exMin + step : -Infinity);
  const ceil = Math.min(max ?? Infinity, exMax !== undefined ? exMax - step : Infinity);
  if (Number.isFinite(floor) || Number.isFinite(ceil)) {
    if (lo < floor || lo > ceil) lo = Number.isFinite(floor) ? floor : ceil - (hi - lo);
    if (hi > ceil || hi < floor) hi = Number.isFinite(ceil) ? ceil : floor + (hi - lo);
    lo = Math.max(lo, floor);
    hi = Math.min(hi, ceil);
    if (hi < lo) hi = lo;
  }
  let value = lo + ctx.rng.next() * (hi - lo);
  const multipleOf = num('multipleOf');
  if (multipleOf !== undefined && multipleOf > 0) {
    value = Math.ceil(value / multipleOf) * multipleOf;
    if (value > hi) value -= multipleOf;
    value = Number(value.toFixed(10));
  } else if (integer) {
    value = Math.min(Math.ceil(lo) + Math.floor(ctx.rng.next() * (Math.floor(hi) - Math.ceil(lo) + 1)), Math.floor(hi));
  } else {
    value = Math.round(value * 100) / 100;
    if (value < lo) value = lo;
    if (value > hi) value = hi;
  }
  return integer ? Math.round(value) : value;
}

function buildString(schema: Schema, ctx: SchemaValueContext, propName: string | undefined): string {
  const name = (propName ?? '').toLowerCase();
  const { rng } = ctx;
  let s: string;
  switch (schema.format) {
    case 'date':
      s = `20${rng.int(18, 25)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
      break;
    case 'date-time':
      s = `20${rng.int(18, 25)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}T${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}Z`;
      break;
    case 'time':
      s = `${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}`;
      break;
    case 'email':
      s = `${slug(pickWord(ctx))}@example.com`;
      break;
    case 'uri':
    case 'url':
      s = `https://example.com/${slug(pickWord(ctx))}`;
      break;
    case 'uuid': {
      const hex = (n: number): string => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');
      s = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
      break;
    }
    default:
      if (/summary|description|explanation|reason|rationale|answer|comment|critique|text|content|body/.test(name)) {
        s = sentence(ctx);
      } else if (/title|name|heading|label|topic|subject/.test(name)) {
        s = titleCase(phrase(ctx, rng.int(2, 4)));
      } else if (/tag|keyword|category|word/.test(name)) {
        s = pickWord(ctx);
      } else {
        s = phrase(ctx, rng.int(2, 5));
      }
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  while (s.length < minLength) s += ` ${pickWord(ctx)}`;
  if (s.length > maxLength) s = s.slice(0, maxLength).trimEnd().padEnd(Math.min(minLength, maxLength), 'x');
  return s;
}

function pickWord(ctx: SchemaValueContext): string {
  const pool = ctx.words.length > 0 && ctx.rng.chance(0.6) ? ctx.words : fillerWords;
  return ctx.rng.pick(pool);
}

function phrase(ctx: SchemaValueContext, n: number): string {
  return Array.from({ length: n }, () => pickWord(ctx)).join(' ');
}

function sentence(ctx: SchemaValueContext): string {
  const text = phrase(ctx, ctx.rng.int(6, 12));
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function titleCase(s: string): string {
  return s.replace(/\b\p{L}/gu, (c) => c.toUpperCase());
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '') || 'user';
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
