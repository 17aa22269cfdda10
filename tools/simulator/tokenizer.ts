/**
 * A deterministic stand-in for a model tokenizer. It cuts text roughly the way
 * BPE vocabularies do (a word with its leading space, punctuation alone, runs
 * of newlines, long words in chunks) so counts and streaming granularity look
 * like a real model's. Joining the pieces always gives back the exact text.
 */

const piecePattern = /[^\S\n]?[\p{L}\p{N}_']+|[^\S\n]?[^\s\p{L}\p{N}_']|\n+|[^\S\n]+/gu;
const maxPieceChars = 8;

/** Token pieces of `text`; `pieces.join('') === text`. */
export function tokenize(text: string): string[] {
  const pieces: string[] = [];
  for (const match of text.matchAll(piecePattern)) {
    const piece = match[0];
    if (piece.length <= maxPieceChars + 1) {
      pieces.push(piece);
      continue;
    }
    // Long words become several sub-word tokens, as in real vocabularies.
    const chars = Array.from(piece);
    for (let i = 0; i < chars.length; ) {
      const size = i === 0 ? maxPieceChars : maxPieceChars - 2;
      pieces.push(chars.slice(i, i + size).join(''));
      i += size;
    }
  }
  return pieces;
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

/** A stable id for a token piece, in the range of a 128k vocabulary. */
export function tokenId(piece: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < piece.length; i++) {
    h ^= piece.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 128_256;
}

/** Chat-template overhead per message (role header and end-of-turn markers). */
export const tokensPerMessage = 4;
/** The assistant header the template appends before generation. */
export const tokensForReplyHeader = 3;

/** Prompt tokens for a chat: content plus template overhead, as Ollama counts them. */
export function countPromptTokens(messages: ReadonlyArray<{ content: string }>): number {
  let total = tokensForReplyHeader;
  for (const m of messages) total += countTokens(m.content) + tokensPerMessage;
  return total;
}
