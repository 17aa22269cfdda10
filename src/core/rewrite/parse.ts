/**
 * Reads the optimizer's answer, as it streams. Small models drift from a
 * format: bold markers, "Rewrite #2", code fences instead of <<< >>>, a missing
 * closing marker at the very end. The parser accepts those and reports each
 * rewrite as complete once its closing marker (or the next rewrite, or the end
 * of a finished answer) is seen.
 */
import type { Technique } from './metaPrompt';
import { isTechnique } from './metaPrompt';

export interface ParsedRewrite {
  /** 1-based position in the answer. */
  index: number;
  technique?: Technique;
  /** The technique as the model wrote it, when it is not one of ours. */
  techniqueText?: string;
  summary?: string;
  body: string;
  /** The block was closed (or the answer ended): the body will not change. */
  complete: boolean;
}

export interface ParsedOptimizerOutput {
  critique?: string;
  /** The critique is followed by something, so it is whole. */
  critiqueComplete: boolean;
  rewrites: ParsedRewrite[];
}

const rewriteHeader = /^[#*\s]*rewrite\s*#?\s*(\d+)\b.*$/gim;

/** Parses what has arrived so far; `finished` says the stream ended (an open block then counts as complete). */
export function parseOptimizerOutput(text: string, finished = false): ParsedOptimizerOutput {
  const clean = text.replace(/\r\n/g, '\n');
  // A line like "Rewrite 3 times" inside a rewritten template is body text, not a header.
  const headers = [...clean.matchAll(rewriteHeader)].filter((m) => {
    const before = clean.slice(0, m.index);
    return (before.match(/<<</g)?.length ?? 0) <= (before.match(/>>>/g)?.length ?? 0);
  });
  const beforeRewrites = headers.length ? clean.slice(0, headers[0].index) : clean;
  const critiqueMatch = /^[#*\s]*critique[*\s]*:?[*\s]*([\s\S]*)$/im.exec(beforeRewrites);
  const critique = critiqueMatch ? tidy(critiqueMatch[1]) : undefined;
  const result: ParsedOptimizerOutput = { critique: critique || undefined, critiqueComplete: headers.length > 0 || finished, rewrites: [] };

  headers.forEach((header, i) => {
    const start = header.index + header[0].length;
    const end = i + 1 < headers.length ? headers[i + 1].index : clean.length;
    const chunk = clean.slice(start, end);
    const last = i === headers.length - 1;
    const parsed = parseBlock(chunk, !last || finished);
    if (parsed) result.rewrites.push({ index: Number(header[1]), ...parsed });
  });
  return result;
}

function parseBlock(chunk: string, closedByWhatFollows: boolean): Omit<ParsedRewrite, 'index'> | undefined {
  const techniqueLine = /^[*\s]*technique[*\s]*:?[*\s]*(.+)$/im.exec(chunk);
  const summaryLine = /^[*\s]*summary[*\s]*:?[*\s]*(.+)$/im.exec(chunk);
  // The body: between <<< and >>>, else inside a code fence, else whatever follows the labelled lines.
  let body: string | undefined;
  let complete = closedByWhatFollows;
  const open = chunk.indexOf('<<<');
  if (open >= 0) {
    const close = chunk.indexOf('>>>', open + 3);
    body = chunk.slice(open + 3, close >= 0 ? close : undefined);
    if (close >= 0) complete = true;
  } else {
    const fence = /```[\w-]*\n([\s\S]*?)(```|$)/.exec(chunk);
    if (fence) {
      body = fence[1];
      if (fence[2] === '```') complete = true;
    } else if (closedByWhatFollows) {
      const lines = chunk.split('\n').filter((line) => !/^[*\s]*(technique|summary)[*\s]*:/i.test(line));
      body = lines.join('\n');
    }
  }
  if (body === undefined) return undefined;
  body = trimBlankLines(body);
  if (!body && complete) return undefined;
  const rawTechnique = techniqueLine ? tidy(techniqueLine[1]).toLowerCase() : undefined;
  const technique = rawTechnique ? matchTechnique(rawTechnique) : undefined;
  const out: Omit<ParsedRewrite, 'index'> = { body, complete };
  if (technique) out.technique = technique;
  else if (rawTechnique) out.techniqueText = rawTechnique;
  if (summaryLine) out.summary = tidy(summaryLine[1]);
  return out;
}

/** "Clarify the instruction", "step-by-step", "few-shot" → our ids. */
function matchTechnique(text: string): Technique | undefined {
  const word = text.replace(/[^a-z -]/g, '').trim();
  if (isTechnique(word)) return word;
  if (/clar/.test(word)) return 'clarify';
  if (/context/.test(word)) return 'context';
  if (/format|template|structure/.test(word)) return 'format';
  if (/step|reason|think/.test(word)) return 'steps';
  if (/few|example/.test(word)) return 'fewshot';
  if (/comment|feedback/.test(word)) return 'comments';
  return undefined;
}

function tidy(text: string): string {
  return text.replace(/\*\*/g, '').replace(/\s+/g, ' ').trim();
}

function trimBlankLines(text: string): string {
  return text.replace(/^\s*\n/, '').replace(/\n\s*$/, '').replace(/^```[\w-]*\n|\n?```$/g, '');
}
