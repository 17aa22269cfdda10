/**
 * Checks a family's test cases against its prompts: a case that lacks a value
 * a variant needs would render a hole in the prompt.
 */
import { analyzePrompt } from './analysis';
import type { ParsedCases } from './cases';

/** A variable a prompt cannot do without: used or required, and with no default. */
export function neededVariables(promptText: string): string[] {
  const analysis = analyzePrompt(promptText);
  const declared = new Map(analysis.declared.map((d) => [d.name, d]));
  const needed = new Set<string>();
  for (const use of analysis.uses) {
    const d = declared.get(use.name);
    if (!d || (!d.hasDefault && !d.optional)) needed.add(use.name);
  }
  for (const d of analysis.declared) {
    if (!d.optional && !d.hasDefault) needed.add(d.name);
  }
  return [...needed].sort();
}

export interface CaseIssue {
  /** 0-based line of the case in the cases file. */
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

/**
 * Problems of a cases file: its own parse problems, and for each case the
 * variables some variant needs that the case does not give.
 */
export function checkCases(parsed: ParsedCases, variants: readonly { label: string; needs: readonly string[] }[]): CaseIssue[] {
  const issues: CaseIssue[] = parsed.problems.map((p) => ({ line: p.line, severity: 'error', message: p.message }));
  for (const testCase of parsed.cases) {
    const missing = new Map<string, string[]>();
    for (const variant of variants) {
      for (const name of variant.needs) {
        if (testCase.input[name] === undefined || testCase.input[name] === null) missing.set(name, [...(missing.get(name) ?? []), variant.label]);
      }
    }
    for (const [name, users] of missing) {
      const who = users.length === variants.length ? 'the prompt' : users.join(', ');
      issues.push({ line: testCase.line ?? 0, severity: 'warning', message: `Case ${testCase.index + 1} has no value for "${name}", which ${who} needs (no default in the frontmatter).` });
    }
  }
  return issues;
}
