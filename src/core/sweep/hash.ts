/** Content hashes: the cache key, cell ids and case keys are all built here. */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal values always hash
 * equally whatever order their keys were written in. `undefined` members are
 * dropped, as JSON.stringify drops them.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = sortKeys(member);
  }
  return out;
}

/** Hex SHA-256 of the stable JSON of `value`. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

/** A short (16 hex) id for display-level identities such as cell ids. */
export function shortHashOf(value: unknown): string {
  return hashOf(value).slice(0, 16);
}
