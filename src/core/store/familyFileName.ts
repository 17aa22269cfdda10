/**
 * File names for family ids (and run ids). A family id is a workspace path such as
 * `prompts/summarize`; it may hold '/', spaces, capitals, non-Latin letters and emoji.
 * The name must be safe on every file system the store may be cloned onto, so only
 * `[a-z0-9_.-]` stays as it is: capitals are escaped because macOS and Windows fold
 * case (two families differing in case would share a file), and non-ASCII letters are
 * escaped because macOS may hand names back in another Unicode normal form.
 */
import { createHash } from 'node:crypto';

/** Longest name before `.jsonl`: leaves room for `.<name>.jsonl.tmp` and `.corrupt-<time>` under 255 bytes. */
const maxNameLength = 200;
/** Windows device names, forbidden as a file name with any extension and in any case. */
const windowsDeviceName = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/;

/**
 * A safe, reversible file name (without extension) for a family id: '/' becomes '~',
 * `[a-z0-9_-]` and inner dots stay, every other character is percent-encoded as UTF-8.
 * Ids whose name would pass 200 characters are cut and end in `#` + a hash; those are
 * not reversible from the name alone (the records in the file carry the id).
 */
export function familyFileName(family: string): string {
  if (family.length === 0) throw new TypeError('A family id must not be empty.');
  const chars = Array.from(family);
  let name = '';
  chars.forEach((ch, index) => {
    const innerDot = ch === '.' && index > 0 && index < chars.length - 1;
    if (ch === '/') name += '~';
    else if (/^[a-z0-9_-]$/.test(ch) || innerDot) name += ch;
    else name += percentEncode(ch);
  });
  if (windowsDeviceName.test(name)) name = percentEncode(name[0]) + name.slice(1);
  if (name.length <= maxNameLength) return name;
  let cut = name.slice(0, maxNameLength - 17);
  // Never cut inside a %XX escape.
  const lastPercent = cut.lastIndexOf('%');
  if (lastPercent > cut.length - 3) cut = cut.slice(0, lastPercent);
  return `${cut}#${createHash('sha256').update(family).digest('hex').slice(0, 16)}`;
}

/**
 * The family id a name from `familyFileName` stands for; undefined for a hashed
 * (long) name and for any name `familyFileName` would not have written.
 */
export function familyFromFileName(name: string): string | undefined {
  if (!/^(?:[a-z0-9_.~-]|%[0-9A-F]{2})+$/.test(name)) return undefined;
  let family: string;
  try {
    family = decodeURIComponent(name.replace(/~/g, '%2F'));
  } catch {
    return undefined;
  }
  return familyFileName(family) === name ? family : undefined;
}

/** Whether a name is a hashed (long) family file name, whose id must be read from the records. */
export function isHashedFileName(name: string): boolean {
  return /#[0-9a-f]{16}$/.test(name);
}

function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
