/**
 * The one rewrite that needs no optimizer: few-shot examples taken from the
 * user's own best-rated answers, put in front of the request they answer.
 */
import type { RatedExample } from './metaPrompt';

/** Characters kept of each example's input value and answer. */
const inputChars = 400;
const answerChars = 900;

/** Text placed inside a template must not be read as Handlebars. */
export function escapeHandlebars(text: string): string {
  return text.replace(/\\?\{\{/g, '\\{{');
}

/**
 * Inserts up to `max` examples (best score first, one per distinct input) at the
 * start of the last user turn, or at the start of the body when the template
 * has no role markers. Undefined when no answer was rated 4 or 5.
 */
export function fewShotBody(body: string, examples: readonly RatedExample[], max = 2): { body: string; used: RatedExample[] } | undefined {
  const seen = new Set<string>();
  const used: RatedExample[] = [];
  for (const example of [...examples].filter((e) => e.score >= 4).sort((a, b) => b.score - a.score)) {
    const key = JSON.stringify(example.input);
    if (seen.has(key)) continue;
    seen.add(key);
    used.push(example);
    if (used.length >= max) break;
  }
  if (used.length === 0) return undefined;
  const block = [
    used.length === 1 ? 'Here is an example of a good answer:' : 'Here are examples of good answers:',
    '',
    ...used.flatMap((example, i) => [
      `Example ${i + 1}`,
      `Input: ${escapeHandlebars(Object.entries(example.input).map(([k, v]) => `${k}: ${clip(typeof v === 'string' ? v : JSON.stringify(v), inputChars)}`).join('; ') || '(defaults)')}`,
      `Answer: ${escapeHandlebars(clip(example.answer, answerChars))}`,
      '',
    ]),
    'Now answer the following in the same way.',
    '',
  ].join('\n');
  const lines = body.split('\n');
  let insertAt = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/\{\{\s*role\s+["']user["']\s*\}\}/.test(lines[i])) {
      insertAt = i + 1;
      break;
    }
  }
  lines.splice(insertAt, 0, ...block.split('\n'));
  return { body: lines.join('\n'), used };
}

function clip(text: string, max: number): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}
