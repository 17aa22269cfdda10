/**
 * Variant families, Dotprompt's own convention: `summarize.prompt` is the base,
 * `summarize.concise.prompt` its variant `concise`, and `summarize.cases.yaml`
 * (or `.jsonl`, `.csv`) the test cases all of them share. Files whose name starts
 * with `_` are partials, not prompts.
 */
import * as path from 'node:path';
import { caseFileExtensions, promptFamily } from './cases';
import type { FamilyId } from './store/records';

/** One prompt file of a family. */
export interface VariantFile {
  /** '' = the base prompt. */
  variant: string;
  /** Absolute path. */
  path: string;
}

export interface VariantFamily {
  /** Workspace-relative POSIX path of the base prompt without `.prompt`. */
  id: FamilyId;
  /** e.g. "summarize". */
  name: string;
  /** Absolute folder. */
  folder: string;
  /** Base first (when it exists), then variants by name. */
  variants: VariantFile[];
  /** The sidecar cases file, when one exists. */
  casesPath?: string;
}

/** "base" for the base prompt, else the variant's name. */
export function variantLabel(variant: string): string {
  return variant === '' ? 'base' : variant;
}

/** `summarize` + `concise` → `summarize.concise`; the base is just `summarize`. */
export function variantDisplayName(family: string, variant: string): string {
  return variant === '' ? family : `${family}.${variant}`;
}

/** Whether a file name is a prompt of some family (not a partial, not a hidden file). */
export function isPromptFile(filePath: string): boolean {
  const base = path.basename(filePath);
  return /\.prompt$/i.test(base) && !base.startsWith('_') && !base.startsWith('.') && base.length > '.prompt'.length;
}

/** The family id of a prompt: its base's path relative to `root`, POSIX, without `.prompt`. */
export function familyIdOf(promptPath: string, root: string): FamilyId {
  const { folder, family } = promptFamily(promptPath);
  const relative = path.relative(root, path.join(folder, family));
  // Outside the root (a loose file): keep the absolute path so ids never collide.
  const id = relative.startsWith('..') || path.isAbsolute(relative) ? path.join(folder, family) : relative;
  return id.split(path.sep).join('/');
}

/**
 * Groups files (absolute paths, any mix of prompts, partials and case files)
 * into families. A family exists when it has at least one prompt file, even if
 * only variants exist (the base may not have been written yet).
 */
export function groupFamilies(files: readonly string[], root: string): VariantFamily[] {
  const families = new Map<string, VariantFamily>();
  const caseFiles = new Map<string, string>();
  for (const file of files) {
    const lower = file.toLowerCase();
    const ext = caseFileExtensions.find((e) => lower.endsWith(e));
    if (ext) {
      const key = file.slice(0, file.length - ext.length);
      // Several formats for one family: the preferred order of caseFileExtensions wins.
      const existing = caseFiles.get(key);
      if (!existing || caseFileExtensions.indexOf(ext) < caseFileExtensions.findIndex((e) => existing.toLowerCase().endsWith(e))) caseFiles.set(key, file);
      continue;
    }
    if (!isPromptFile(file)) continue;
    const { folder, family, variant } = promptFamily(file);
    const key = path.join(folder, family);
    let entry = families.get(key);
    if (!entry) {
      entry = { id: familyIdOf(file, root), name: family, folder, variants: [] };
      families.set(key, entry);
    }
    entry.variants.push({ variant: variant ?? '', path: file });
  }
  for (const [key, family] of families) {
    family.variants.sort((a, b) => (a.variant === '' ? -1 : b.variant === '' ? 1 : a.variant.localeCompare(b.variant)));
    const cases = caseFiles.get(key);
    if (cases) family.casesPath = cases;
  }
  return [...families.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The path a variant of `family` lives at. */
export function variantPath(family: Pick<VariantFamily, 'folder' | 'name'>, variant: string): string {
  return path.join(family.folder, `${variantDisplayName(family.name, variant)}.prompt`);
}

/**
 * Checks a new variant name. Returns a sentence saying what is wrong, or
 * undefined when the name is fine.
 */
export function validateVariantName(name: string, existing: readonly string[]): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'Give the variant a name, e.g. "concise".';
  if (trimmed !== name) return 'A variant name cannot start or end with spaces.';
  if (/[\\/:*?"<>|]|\p{Cc}/u.test(name)) return 'A variant name cannot contain / \\ : * ? " < > | or control characters.';
  if (/\s/.test(name)) return 'Use letters, digits, - or _ instead of spaces (the name becomes part of the file name).';
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) return 'A variant name cannot start or end with a dot, or contain "..".';
  if (/\.prompt$/i.test(name)) return 'Give just the variant name, without ".prompt".';
  if (/^cases$/i.test(name) || /^cases\./i.test(name)) return '"cases" is reserved for the test cases file.';
  if (name.length > 64) return 'Keep the variant name under 64 characters.';
  if (existing.some((e) => e.toLowerCase() === name.toLowerCase())) return `A variant named "${name}" already exists.`;
  return undefined;
}

/** A free variant name based on `wanted`: `concise`, `concise-2`, `concise-3`… */
export function freeVariantName(wanted: string, existing: readonly string[]): string {
  const taken = new Set(existing.map((e) => e.toLowerCase()));
  if (!taken.has(wanted.toLowerCase())) return wanted;
  for (let n = 2; ; n++) {
    const candidate = `${wanted}-${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
