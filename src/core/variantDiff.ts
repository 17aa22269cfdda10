/** Word-level differences between two variants' rendered prompts (jsdiff). */
import { diffWordsWithSpace } from 'diff';
import type { OllamaChatMessage } from './prompt';
import type { VariantDiffView } from './protocol';

/**
 * Pairs the messages of two rendered prompts by position and diffs each pair
 * word by word. A message only one side has shows as wholly added or removed.
 */
export function diffRenderedMessages(left: readonly OllamaChatMessage[], right: readonly OllamaChatMessage[]): VariantDiffView['messages'] {
  const out: VariantDiffView['messages'] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const a = left[i];
    const b = right[i];
    const role = a && b && a.role !== b.role ? `${a.role} → ${b.role}` : (a ?? b).role;
    const parts = diffWordsWithSpace(a?.content ?? '', b?.content ?? '').map((part) => {
      const entry: { value: string; added?: boolean; removed?: boolean } = { value: part.value };
      if (part.added) entry.added = true;
      if (part.removed) entry.removed = true;
      return entry;
    });
    out.push({ role, parts });
  }
  return out;
}

/** How much two rendered prompts differ: words added and removed over all messages. */
export function diffStats(messages: VariantDiffView['messages']): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const message of messages) {
    for (const part of message.parts) {
      const words = part.value.split(/\s+/).filter(Boolean).length;
      if (part.added) added += words;
      if (part.removed) removed += words;
    }
  }
  return { added, removed };
}
