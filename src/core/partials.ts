/**
 * Partials for Dotprompt rendering: the folder convention (`{{> foo}}` is `_foo.prompt` beside the
 * prompt) and a scope that keeps one render's partials from leaking into the next.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dotprompt } from 'dotprompt';

/** A partial's source by name, or undefined when there is none. */
export type PartialLookup = (name: string) => string | undefined | Promise<string | undefined>;

/** Strip a UTF-8 BOM and turn CRLF/CR line ends into LF, so a file renders the same on every OS. */
export function normalizePromptText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Dotprompt's folder convention: partial "foo" is `_foo.prompt` in `folder`, "common/foo" is
 * `common/_foo.prompt`. The file is used whole, as Dotprompt does (partials have no frontmatter).
 */
export function folderPartialResolver(folder: string): (name: string) => Promise<string | undefined> {
  const root = path.resolve(folder);
  return async (name: string) => {
    const segments = name.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) return undefined;
    const last = segments.pop() ?? '';
    const file = path.resolve(root, ...segments, `_${last}.prompt`);
    if (!file.startsWith(root + path.sep)) return undefined;
    try {
      return normalizePromptText(await readFile(file, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw error;
    }
  };
}

/** The part of Handlebars' environment that holds partials. */
interface PartialRegistry {
  partials: Record<string, unknown>;
  registerPartial(name: string, source: string): void;
  unregisterPartial(name: string): void;
}

/**
 * Dotprompt instances all share Handlebars' global environment (`Handlebars.noConflict()` returns the
 * global), and Dotprompt only asks its resolver for partials that are not registered yet. Without a
 * scope, `_header.prompt` of one folder would be reused for every other folder, and an edited partial
 * would never be re-read.
 */
function partialRegistry(dotprompt: Dotprompt): PartialRegistry {
  const registry = (dotprompt as unknown as { handlebars?: Partial<PartialRegistry> }).handlebars;
  if (!registry || typeof registry.partials !== 'object' || typeof registry.unregisterPartial !== 'function' || typeof registry.registerPartial !== 'function') {
    throw new Error('Prompt Loop: this version of dotprompt does not expose its Handlebars environment; partials cannot be isolated.');
  }
  return registry as PartialRegistry;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Run one render with `partials` registered and every partial registered during it removed afterwards.
 * Renders are serialized, because the registry they share is global.
 */
export function withScopedPartials<T>(dotprompt: Dotprompt, partials: Record<string, string> | undefined, render: () => Promise<T>): Promise<T> {
  const run = queue.then(async () => {
    const registry = partialRegistry(dotprompt);
    const before = new Map(Object.entries(registry.partials));
    for (const [name, source] of Object.entries(partials ?? {})) dotprompt.definePartial(name, source);
    try {
      return await render();
    } finally {
      for (const name of Object.keys(registry.partials)) {
        if (!before.has(name)) registry.unregisterPartial(name);
      }
      for (const [name, previous] of before) {
        if (registry.partials[name] !== previous) registry.partials[name] = previous;
      }
    }
  });
  queue = run.catch(() => undefined);
  return run;
}
