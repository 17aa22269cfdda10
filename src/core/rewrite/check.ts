/**
 * Checks a suggested rewrite before the user sees it: the frontmatter stays the
 * parent's, every variable the parent uses is still there, nothing new appears
 * that no input provides, and the result parses and renders. What can be
 * repaired (a renamed variable, a mangled frontmatter) is, and said so; the
 * rest is rejected with the reason.
 */
import { analyzePrompt } from '../analysis';
import type { RenderOptions } from '../prompt';
import { renderPrompt } from '../prompt';

/** The frontmatter (with its fences and trailing newline) and the body of a .prompt text. */
export function splitPrompt(text: string): { frontmatter: string; body: string } {
  const lines = text.split('\n');
  if (!/^\uFEFF?---\s*$/.test(lines[0] ?? '')) return { frontmatter: '', body: text };
  for (let i = 1; i < lines.length; i++) {
    if (/^---\s*$/.test(lines[i])) return { frontmatter: lines.slice(0, i + 1).join('\n') + '\n', body: lines.slice(i + 1).join('\n') };
  }
  return { frontmatter: '', body: text };
}

/** Root variable names a template uses (block params, @data and helpers left out). */
export function usedVariables(text: string): string[] {
  return [...new Set(analyzePrompt(text).uses.map((u) => u.name))].sort();
}

export interface CheckedRewrite {
  status: 'ok' | 'repaired' | 'rejected';
  /** The whole .prompt file to offer (the parent's frontmatter + the checked body). */
  text: string;
  body: string;
  /** What was repaired, or why it was rejected. */
  notes: string[];
}

/**
 * Checks `rewrite` (a body, or a whole file whose frontmatter is ignored)
 * against the parent file. `sampleInput` is what a render test uses.
 */
export async function checkRewrite(parentText: string, rewrite: string, sampleInput: Record<string, unknown>, renderOptions: RenderOptions = {}): Promise<CheckedRewrite> {
  const parent = splitPrompt(parentText);
  const notes: string[] = [];
  let body = rewrite.replace(/\r\n/g, '\n');
  const own = splitPrompt(body);
  if (own.frontmatter) {
    body = own.body;
    if (own.frontmatter.trim() !== parent.frontmatter.trim()) notes.push('It came with its own frontmatter; the original frontmatter (model, config, schema) is kept.');
  } else if (/^\s*---\s*$/m.test(body.split('\n')[0] ?? '')) {
    notes.push('It started an unclosed frontmatter; that part was dropped.');
    body = body.replace(/^\s*---\s*\n/, '');
  }
  body = body.replace(/^\n+/, '');
  if (!body.endsWith('\n')) body += '\n';
  const reject = (reason: string): CheckedRewrite => ({ status: 'rejected', text: parent.frontmatter + body, body, notes: [...notes, reason] });

  if (body.trim() === parent.body.trim()) return reject('It is the same as the current prompt.');
  if (!body.trim()) return reject('It is empty.');

  // A template that does not parse hides its variables: say that, not that they are missing.
  const syntax = analyzePrompt(parent.frontmatter + body).problems.filter((p) => p.severity === 'error');
  if (syntax.length) return reject(`It does not parse: ${syntax[0].message}`);

  const declared = new Set(analyzePrompt(parentText).declared.map((d) => d.name));
  const wanted = usedVariables(parentText);
  let have = usedVariables(parent.frontmatter + body);
  let missing = wanted.filter((v) => !have.includes(v));
  let unknown = have.filter((v) => !wanted.includes(v) && !declared.has(v));
  // One variable swapped for one new name is a rename: put the original back.
  if (missing.length === 1 && unknown.length === 1) {
    const [from, to] = [unknown[0], missing[0]];
    body = body.replace(new RegExp(`(\\{\\{~?[#/]?\\s*(?:[\\w-]+\\s+)*)${escapeRegExp(from)}(?=[\\s.}~|])`, 'g'), `$1${to}`);
    notes.push(`It renamed {{${to}}} to {{${from}}}; renamed back.`);
    have = usedVariables(parent.frontmatter + body);
    missing = wanted.filter((v) => !have.includes(v));
    unknown = have.filter((v) => !wanted.includes(v) && !declared.has(v));
  }
  if (missing.length) return reject(`It drops ${missing.map((v) => `{{${v}}}`).join(', ')}, which the prompt needs.`);
  if (unknown.length) return reject(`It uses ${unknown.map((v) => `{{${v}}}`).join(', ')}, which no input provides.`);

  const text = parent.frontmatter + body;
  const errors = analyzePrompt(text).problems.filter((p) => p.severity === 'error');
  if (errors.length) return reject(`It does not parse: ${errors[0].message}`);
  try {
    await renderPrompt(text, sampleInput, renderOptions);
  } catch (error) {
    return reject(`It does not render: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return { status: notes.length ? 'repaired' : 'ok', text, body, notes };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
