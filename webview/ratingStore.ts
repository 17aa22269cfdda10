/**
 * The panel's one map of ratings, by answer key, read by the run view, the grid
 * and the cell detail alike: what the host confirmed, plus the user's changes on
 * their way (shown at once, reconciled with the host's `ratings` messages, rolled
 * back on an error reply). Also the small rules of the rating bar: tags, keys,
 * and what the bar says. Pure (no DOM): unit-tested in test/unit/ratingStore.test.ts.
 */
import * as l10n from '@vscode/l10n';
import type { RatingView } from '../src/core/protocol';

/** A rating as the user sets it. */
export interface RatingValue {
  /** 1–5; thumbs up = 5, thumbs down = 1. */
  score: number;
  comment?: string;
  tags?: string[];
}

/** What the panel shows for an answer. */
export interface ShownRating {
  /** Undefined: not rated (or a clear is on its way). */
  rating: RatingValue | undefined;
  /** A change is on its way to the host and not confirmed yet. */
  saving: boolean;
}

interface PendingChange {
  requestId: number;
  answerKey: string;
  /** null: the rating is being cleared. */
  value: RatingValue | null;
  /** The host replied ok; its `ratings` message has not come yet. */
  acknowledged: boolean;
  /** How many host updates of this key had arrived when the change was made. */
  hostSeqAtPost: number;
}

/** Longest comment the protocol accepts. */
export const maxCommentLength = 10_000;
/** Most tags, and longest tag, the protocol accepts. */
export const maxTags = 20;
export const maxTagLength = 64;

export class RatingStore {
  private readonly confirmed = new Map<string, RatingView>();
  /** In posting order. */
  private pending: PendingChange[] = [];
  /** Host updates seen per key (a `ratings` message or a `state`). */
  private readonly hostSeq = new Map<string, number>();

  /** Replaces the host's ratings with a full list (from `state`); returns the keys whose shown rating may have changed. */
  load(list: readonly RatingView[] | undefined): Set<string> {
    const changed = new Set<string>(this.confirmed.keys());
    this.confirmed.clear();
    for (const rating of list ?? []) {
      this.confirmed.set(rating.answerKey, rating);
      changed.add(rating.answerKey);
    }
    for (const key of changed) this.hostUpdated(key);
    return changed;
  }

  /** Applies the host's `ratings` message; returns the keys whose shown rating may have changed. */
  applyHost(ratings: readonly RatingView[], removed: readonly string[] = []): Set<string> {
    const changed = new Set<string>();
    for (const key of removed) {
      this.confirmed.delete(key);
      changed.add(key);
    }
    for (const rating of ratings) {
      this.confirmed.set(rating.answerKey, rating);
      changed.add(rating.answerKey);
    }
    for (const key of changed) this.hostUpdated(key);
    return changed;
  }

  /** A change the user just made, posted as request `requestId`: shown at once. */
  propose(requestId: number, answerKey: string, value: RatingValue | null): void {
    this.pending.push({ requestId, answerKey, value: value && normaliseValue(value), acknowledged: false, hostSeqAtPost: this.hostSeq.get(answerKey) ?? 0 });
  }

  /** The host replied ok. Returns the answer key, or undefined for an unknown request. */
  acknowledge(requestId: number): string | undefined {
    const change = this.pending.find((p) => p.requestId === requestId);
    if (!change) return undefined;
    const { answerKey } = change;
    const later = this.pending.slice(this.pending.indexOf(change) + 1).some((p) => p.answerKey === answerKey);
    // The host sent this key since the change was posted (saved, perhaps tidied), and nothing newer waits: its copy is the truth.
    if (sameRating(this.confirmedValue(answerKey), change.value) || (!later && (this.hostSeq.get(answerKey) ?? 0) > change.hostSeqAtPost)) {
      this.drop(change);
    } else {
      change.acknowledged = true;
    }
    return answerKey;
  }

  /** The host replied with an error: the change is rolled back. Returns the answer key, or undefined for an unknown request. */
  reject(requestId: number): string | undefined {
    const change = this.pending.find((p) => p.requestId === requestId);
    if (!change) return undefined;
    this.drop(change);
    return change.answerKey;
  }

  /** What to show for an answer: its newest pending change, else the host's rating. */
  shown(answerKey: string): ShownRating {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const change = this.pending[i];
      if (change.answerKey === answerKey) return { rating: change.value ?? undefined, saving: true };
    }
    return { rating: this.confirmedValue(answerKey), saving: false };
  }

  /** The host's copy of a rating. */
  confirmedRating(answerKey: string): RatingView | undefined {
    return this.confirmed.get(answerKey);
  }

  /** Changes not yet confirmed by the host. */
  get pendingCount(): number {
    return this.pending.length;
  }

  private confirmedValue(answerKey: string): RatingValue | undefined {
    const rating = this.confirmed.get(answerKey);
    return rating ? normaliseValue(rating) : undefined;
  }

  private hostUpdated(answerKey: string): void {
    this.hostSeq.set(answerKey, (this.hostSeq.get(answerKey) ?? 0) + 1);
    const confirmed = this.confirmedValue(answerKey);
    const mine = this.pending.filter((p) => p.answerKey === answerKey);
    // The first change this update matches has been saved, and so have those before it.
    const matched = mine.findIndex((p) => sameRating(p.value, confirmed));
    const done = new Set<PendingChange>(matched >= 0 ? mine.slice(0, matched + 1) : []);
    // A change the host replied ok to is reflected by any update sent after the reply.
    for (const p of mine) if (p.acknowledged) done.add(p);
    if (done.size > 0) this.pending = this.pending.filter((p) => !done.has(p));
    // An update that matched a change is explained by it: it says nothing yet about the newer ones.
    if (matched >= 0) for (const p of mine) if (!done.has(p)) p.hostSeqAtPost = this.hostSeq.get(answerKey) ?? 0;
  }

  private drop(change: PendingChange): void {
    this.pending = this.pending.filter((p) => p !== change);
  }
}

/** Comment trimmed (empty: none), tags without blanks (none: undefined). */
export function normaliseValue(value: RatingValue | RatingView): RatingValue {
  const comment = value.comment?.trim();
  const tags = value.tags?.map((t) => t.trim()).filter((t) => t !== '');
  return { score: value.score, ...(comment ? { comment } : {}), ...(tags && tags.length > 0 ? { tags } : {}) };
}

/** Same score, comment and tags (undefined and null both mean "not rated"). */
export function sameRating(a: RatingValue | null | undefined, b: RatingValue | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  const x = normaliseValue(a);
  const y = normaliseValue(b);
  const tagsX = x.tags ?? [];
  const tagsY = y.tags ?? [];
  return x.score === y.score && (x.comment ?? '') === (y.comment ?? '') && tagsX.length === tagsY.length && tagsX.every((t, i) => t === tagsY[i]);
}

/** The rating with a new score; the comment and tags stay (a `rate` replaces the whole rating). */
export function withScore(current: RatingValue | undefined, score: number): RatingValue {
  return { ...(current ?? {}), score };
}

/** Parses the tags field: comma-separated, trimmed, blanks and repeats (any case) dropped. */
export function parseTags(text: string): { ok: true; tags: string[] } | { ok: false; error: string } {
  const tags: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    if (tag === '' || seen.has(tag.toLowerCase())) continue;
    if (tag.length > maxTagLength) return { ok: false, error: l10n.t('A tag can have at most {0} characters (“{1}…” has {2}).', maxTagLength, tag.slice(0, 20), tag.length) };
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  if (tags.length > maxTags) return { ok: false, error: l10n.t('At most {0} tags (there are {1}).', maxTags, tags.length) };
  return { ok: true, tags };
}

/** The tags as the field shows them. */
export function tagsText(tags: readonly string[] | undefined): string {
  return (tags ?? []).join(', ');
}

/** What a key press means for a rating: a score, a clear, or nothing. */
export function ratingKey(key: string): number | 'clear' | undefined {
  if (key.length === 1 && key >= '1' && key <= '5') return Number(key);
  return key === '0' ? 'clear' : undefined;
}

/** The short line beside the stars: saving, saved (with what), or not rated. */
export function ratingStatusText(shown: ShownRating): string {
  if (shown.saving) return shown.rating ? l10n.t('Saving…') : l10n.t('Clearing…');
  const rating = shown.rating;
  if (!rating) return l10n.t('Not rated');
  const parts = [l10n.t('Saved')];
  if (rating.comment) parts.push(l10n.t('comment'));
  if (rating.tags && rating.tags.length > 0) parts.push(rating.tags.length === 1 ? l10n.t('1 tag') : l10n.t('{0} tags', rating.tags.length));
  return parts.join(' · ');
}

/** "Rated 4 of 5", for the live region and tooltips. */
export function ratingAnnouncement(rating: RatingValue | undefined): string {
  if (!rating) return l10n.t('Not rated');
  const tags = rating.tags && rating.tags.length > 0 ? rating.tags.join(', ') : undefined;
  if (rating.comment && tags !== undefined) return l10n.t('Rated {0} of 5, with a comment, tags: {1}', rating.score, tags);
  if (rating.comment) return l10n.t('Rated {0} of 5, with a comment', rating.score);
  if (tags !== undefined) return l10n.t('Rated {0} of 5, tags: {1}', rating.score, tags);
  return l10n.t('Rated {0} of 5', rating.score);
}
