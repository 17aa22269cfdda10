import type { Answer, AnswerRequest } from './answers';
import type { Rng } from './random';

/**
 * Answers to Prompt Loop's optimizer requests (critique + rewritten templates),
 * recognised by their system prompt. The rewrites are plausible edits of the
 * template the request carries: an explicit instruction, a fixed output format,
 * step-by-step reasoning, the user's comments addressed. Like a small real
 * model, the "format" rewrite renames one variable (the extension must repair
 * it) so the whole checking path runs in tests.
 */
export function isOptimizerRequest(req: AnswerRequest): boolean {
  return req.messages.some((m) => m.role === 'system' && /improve prompt templates/i.test(m.content));
}

export function optimizerAnswer(req: AnswerRequest, rng: Rng): Answer {
  const user = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const template = /<<<\n?([\s\S]*?)\n?>>>/.exec(user)?.[1]?.trim() ?? 'Answer the question.';
  const comments = [...user.matchAll(/^comment:\s*(.+)$/gim)].map((m) => m[1].trim()).filter(Boolean);
  const count = Math.max(1, Math.min(5, Number(/write (\d+) rewritten/i.exec(user)?.[1] ?? 3)));
  const variables = [...new Set([...template.matchAll(/\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g)].map((m) => m[1]).filter((v) => v !== 'role' && v !== 'history'))];

  const critique = comments.length
    ? `The low-rated answers share one problem: ${comments.slice(0, 2).map((c) => c.replace(/[.!]+$/, '')).join('; ')}. The template never says so explicitly, so the model guesses. The high-rated answers are shorter and lead with the main point.`
    : 'The template leaves the length and the structure of the answer open, so answers vary a lot. Say exactly what a good answer contains and how long it is.';

  const rewrites: { technique: string; summary: string; body: string }[] = [
    {
      technique: 'clarify',
      summary: 'States the task, the length and what to leave out explicitly.',
      body: insertInstruction(template, pick(rng, [
        'Be specific: keep only what the reader needs, state every number exactly as written, and do not add anything that is not in the input.',
        'Follow these instructions exactly. Keep the answer short and concrete, and never invent facts that the input does not state.',
      ])),
    },
    {
      technique: 'format',
      summary: 'Asks for a fixed structure the reader can scan.',
      // Small models often "tidy up" a variable name; the extension repairs this one.
      body: renameFirst(`${template}\n\nAnswer in exactly this format:\nMain point: <one sentence>\nDetails: <two or three short bullet points>`, variables, rng),
    },
    {
      technique: 'steps',
      summary: 'Asks the model to work through the input before it answers.',
      body: `${template}\n\nFirst, think step by step about what matters most in the input. Then write only the final answer.`,
    },
  ];
  if (comments.length) {
    rewrites.push({
      technique: 'comments',
      summary: 'Addresses the reviewers\u2019 comments directly.',
      body: insertInstruction(template, `Reviewers asked for this; make sure of it: ${comments.slice(0, 3).map((c) => c.replace(/[.!]+$/, '')).join('; ')}.`),
    });
  }
  const chosen = rewrites.slice(0, count);
  const content = [
    `CRITIQUE: ${critique}`,
    ...chosen.flatMap((r, i) => [`REWRITE ${i + 1}`, `TECHNIQUE: ${r.technique}`, `SUMMARY: ${r.summary}`, '<<<', r.body, '>>>']),
  ].join('\n');
  return { thinking: '', content };
}

/** Puts a sentence at the start of the last user turn (or of the template). */
function insertInstruction(template: string, sentence: string): string {
  const lines = template.split('\n');
  let at = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/\{\{\s*role\s+["']user["']\s*\}\}/.test(lines[i])) {
      at = i + 1;
      break;
    }
  }
  lines.splice(at, 0, sentence);
  return lines.join('\n');
}

function renameFirst(body: string, variables: string[], rng: Rng): string {
  const name = variables[0];
  if (!name) return body;
  const renamed = `${name}_${pick(rng, ['text', 'value', 'input'])}`;
  return body.replace(new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`, 'g'), `{{${renamed}}}`);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)];
}
