/**
 * The rating bar under an answer (run view and cell detail): five score buttons,
 * thumbs up / down (5 / 1), Clear, and a Comment toggle that reveals a comment
 * and comma-separated tags. A score is posted at once; the comment and tags on
 * leaving the fields or Ctrl/Cmd+Enter, with the current score. What it shows
 * comes from the panel's one rating map (`RatingStore`), never from itself.
 */
import * as l10n from '@vscode/l10n';
import { codicon, h, replaceChildren } from './dom';
import { maxCommentLength, parseTags, ratingStatusText, sameRating, tagsText, withScore, type RatingValue, type ShownRating } from './ratingStore';

/** The panel's ratings, as a bar (and the grid) reads and changes them. */
export interface RatingsHost {
  shownRating(answerKey: string): ShownRating;
  /** Saves a rating; it replaces the earlier rating of the answer. */
  rate(answerKey: string, value: RatingValue): void;
  clearRating(answerKey: string): void;
}

let nextId = 1;
const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);
const saveKeys = mac ? '⌘Enter' : 'Ctrl+Enter';

/** True for fields the user types into: keys there are text, not shortcuts. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== 'checkbox' && target.type !== 'radio') || target.isContentEditable;
}

export class RatingBar {
  readonly el: HTMLElement;
  private readonly stars: HTMLButtonElement[];
  private readonly thumbsUp: HTMLButtonElement;
  private readonly thumbsDown: HTMLButtonElement;
  private readonly clearButton: HTMLButtonElement;
  private readonly commentToggle: HTMLButtonElement;
  private readonly statusEl: HTMLElement;
  private readonly commentArea: HTMLElement;
  private readonly commentField: HTMLTextAreaElement;
  private readonly tagsField: HTMLInputElement;
  private readonly noteEl: HTMLElement;

  private key: string | undefined;
  private reason: string | undefined;
  private commentOpen = false;
  /** A message about the draft (no score yet, a bad tag) until the fields change or are saved; `saved` shows a check. */
  private note: { kind: 'error' | 'hint'; text: string; saved?: boolean } | undefined;
  /** The accessible names that say whose answer this is. */
  private readonly names: SubjectNames;

  constructor(
    private readonly host: RatingsHost,
    /** Whose answer, for accessible names: a model ("the answer from llama3.2"), or undefined for "this answer". */
    model: string | undefined,
    private readonly onEscape: () => void,
  ) {
    const id = nextId++;
    const names = subjectNames(model);
    this.names = names;
    this.reason = l10n.t('Nothing to rate yet');
    this.stars = [1, 2, 3, 4, 5].map((score) => {
      const button = this.iconButton(`rating-star`, 'star-empty', l10n.t('{0} of 5', score), l10n.t('Score {0} of 5 (key {0})', score), { 'data-score': String(score), 'aria-pressed': 'false' });
      button.addEventListener('click', () => this.rateScore(score));
      return button;
    });
    this.thumbsUp = this.iconButton('rating-thumb', 'thumbsup', l10n.t('Thumbs up: score 5'), l10n.t('Thumbs up = 5 (key 5)'), { 'data-action': 'thumbsUp', 'aria-pressed': 'false' });
    this.thumbsUp.addEventListener('click', () => this.rateScore(5));
    this.thumbsDown = this.iconButton('rating-thumb', 'thumbsdown', l10n.t('Thumbs down: score 1'), l10n.t('Thumbs down = 1 (key 1)'), { 'data-action': 'thumbsDown', 'aria-pressed': 'false' });
    this.thumbsDown.addEventListener('click', () => this.rateScore(1));
    this.statusEl = h('span', { className: 'rating-status' });
    this.commentToggle = h('button', { className: 'rating-tool', attrs: { type: 'button', 'data-action': 'toggleComment', 'aria-expanded': 'false', 'aria-controls': `rating-comment-${id}`, 'aria-label': l10n.t('Comment and tags'), title: names.commentAndTags } }, [codicon('comment'), h('span', { className: 'rating-tool-label', text: l10n.t('Comment'), attrs: { 'aria-hidden': 'true' } })]);
    this.commentToggle.addEventListener('click', () => this.setCommentOpen(!this.commentOpen, true));
    this.clearButton = this.iconButton('rating-tool', 'close', l10n.t('Clear the rating'), l10n.t('Clear the rating (key 0)'), { 'data-action': 'clearRating' });
    this.clearButton.addEventListener('click', () => this.clear());

    this.commentField = h('textarea', {
      className: 'rating-comment-field',
      attrs: { 'data-rating-comment': '', rows: '3', maxlength: String(maxCommentLength), 'aria-label': names.comment, placeholder: l10n.t('What is good or bad about it? Saved when you leave the field or press {0}.', saveKeys) },
    });
    this.tagsField = h('input', {
      className: 'rating-tags-field',
      attrs: { type: 'text', 'data-rating-tags': '', 'aria-label': names.tags, placeholder: l10n.t('Tags, comma-separated: too long, invents numbers'), spellcheck: 'false' },
    });
    this.noteEl = h('div', { className: 'rating-note', attrs: { role: 'status' } });
    this.commentArea = h('div', { className: 'rating-comment', attrs: { id: `rating-comment-${id}`, hidden: '' } }, [this.commentField, this.tagsField, this.noteEl]);
    for (const field of [this.commentField, this.tagsField] as HTMLElement[]) {
      field.addEventListener('keydown', (event) => this.onFieldKey(event));
      field.addEventListener('input', () => {
        this.note = undefined;
        this.renderNote();
      });
    }
    this.commentArea.addEventListener('focusout', (event) => {
      // Moving between the comment and the tags is not leaving.
      if (event.relatedTarget instanceof Node && this.commentArea.contains(event.relatedTarget)) return;
      this.commit();
    });

    this.el = h('div', { className: 'rating-bar', attrs: { role: 'group', 'aria-label': names.rating, 'data-rating-bar': '' } }, [
      h('div', { className: 'rating-line' }, [
        h('span', { className: 'rating-stars', attrs: { role: 'group', 'aria-label': l10n.t('Score') } }, this.stars),
        h('span', { className: 'rating-thumbs' }, [this.thumbsUp, this.thumbsDown]),
        this.statusEl,
        h('span', { className: 'rating-tools' }, [this.commentToggle, this.clearButton]),
      ]),
      this.commentArea,
    ]);
    this.render();
  }

  /** The answer key this bar rates. */
  get answerKey(): string | undefined {
    return this.key;
  }

  /** Why the answer cannot be rated, when it cannot. */
  get disabledReason(): string | undefined {
    return this.key === undefined ? (this.reason ?? l10n.t('Nothing to rate')) : undefined;
  }

  /** Which answer to rate; without a key, why it cannot be rated (shown, and the bar is disabled). */
  setTarget(answerKey: string | undefined, reason: string | undefined): void {
    const reasonNow = answerKey === undefined ? (reason ?? l10n.t('Nothing to rate')) : undefined;
    if (answerKey === this.key && reasonNow === this.reason) return;
    // A draft for the answer shown before is saved if it can be, before the fields move on.
    if (answerKey !== this.key && this.key !== undefined && this.isDirty()) this.commit();
    const moved = answerKey !== this.key;
    this.key = answerKey;
    this.reason = reasonNow;
    if (moved) {
      this.note = undefined;
      this.syncFields(true);
    }
    this.render();
  }

  /** A score from the keyboard (1–5). False, with nothing done, when the answer cannot be rated. */
  rateScore(score: number): boolean {
    const key = this.key;
    if (key === undefined) return false;
    const shown = this.host.shownRating(key).rating;
    let value = withScore(shown, score);
    // A draft typed before there was a score goes with it.
    if (this.isDirty()) {
      const tags = parseTags(this.tagsField.value);
      value = { score, comment: this.commentField.value, tags: tags.ok ? tags.tags : shown?.tags };
      this.note = tags.ok ? undefined : { kind: 'error', text: l10n.t('{0} The tags were not saved.', tags.error) };
    }
    if (!sameRating(value, shown)) this.host.rate(key, value);
    this.render();
    return true;
  }

  /** Clears the rating (key 0). False when the answer cannot be rated. */
  clear(): boolean {
    const key = this.key;
    if (key === undefined) return false;
    if (this.host.shownRating(key).rating) this.host.clearRating(key);
    this.note = undefined;
    this.render();
    return true;
  }

  /** Draws what the rating map says (call after it changed). */
  render(): void {
    const key = this.key;
    const disabled = key === undefined;
    const shown: ShownRating = key === undefined ? { rating: undefined, saving: false } : this.host.shownRating(key);
    const score = shown.rating?.score;

    if (key === undefined) this.el.removeAttribute('data-rating-for');
    else this.el.setAttribute('data-rating-for', key);
    if (score === undefined) this.el.removeAttribute('data-rated');
    else this.el.setAttribute('data-rated', String(score));
    this.el.toggleAttribute('data-saving', shown.saving);
    this.el.toggleAttribute('data-disabled', disabled);
    const why = l10n.t('{0}: only finished answers that Prompt Loop has stored can be rated', this.reason ?? l10n.t('Nothing to rate'));
    this.el.title = disabled ? why : '';
    // A disabled button shows its own tooltip, not the bar's: say why there too.
    for (const button of this.el.querySelectorAll<HTMLButtonElement>('.rating-line button')) {
      button.dataset.title ??= button.title;
      button.title = disabled ? why : button.dataset.title;
    }

    this.stars.forEach((star, i) => {
      const filled = score !== undefined && i < score;
      star.setAttribute('aria-pressed', String(score === i + 1));
      star.classList.toggle('is-filled', filled);
      const icon = star.firstElementChild;
      if (icon) icon.className = `codicon codicon-${filled ? 'star-full' : 'star-empty'}`;
      star.disabled = disabled;
    });
    this.thumbsUp.setAttribute('aria-pressed', String(score === 5));
    this.thumbsDown.setAttribute('aria-pressed', String(score === 1));
    this.thumbsUp.disabled = disabled;
    this.thumbsDown.disabled = disabled;
    this.clearButton.disabled = disabled || shown.rating === undefined;
    this.commentToggle.disabled = disabled;
    this.commentToggle.classList.toggle('has-comment', Boolean(shown.rating?.comment || shown.rating?.tags?.length));
    if (!disabled) this.commentToggle.title = shown.rating?.comment ? l10n.t('Comment: {0}', shown.rating.comment) : this.names.commentAndTags;

    this.statusEl.textContent = disabled ? (this.reason ?? '') : ratingStatusText(shown);
    this.statusEl.dataset.kind = disabled ? 'disabled' : shown.saving ? 'saving' : shown.rating ? 'saved' : 'none';
    this.statusEl.title = [this.statusEl.textContent, shown.rating?.tags?.length ? l10n.t('tags: {0}', shown.rating.tags.join(', ')) : ''].filter((t) => t !== '').join(' · ');
    if (disabled && this.commentOpen) this.setCommentOpen(false, false);
    this.syncFields(false);
    this.renderNote();
  }

  private setCommentOpen(open: boolean, focus: boolean): void {
    this.commentOpen = open;
    this.commentArea.hidden = !open;
    this.commentToggle.setAttribute('aria-expanded', String(open));
    this.commentToggle.classList.toggle('is-open', open);
    if (open && focus) this.commentField.focus();
    this.renderNote();
  }

  /** The fields hold text that differs from the saved (or saving) rating. */
  private isDirty(): boolean {
    const rating = this.key === undefined ? undefined : this.host.shownRating(this.key).rating;
    return this.commentField.value.trim() !== (rating?.comment ?? '') || tagsText(typedTags(this.tagsField.value)) !== tagsText(rating?.tags);
  }

  /** Puts the rating's comment and tags in the fields, unless the user is typing there (or `force`). */
  private syncFields(force: boolean): void {
    const typing = this.commentArea.contains(document.activeElement);
    if (!force && (typing || this.isDirty())) return;
    const rating = this.key === undefined ? undefined : this.host.shownRating(this.key).rating;
    const comment = rating?.comment ?? '';
    const tags = tagsText(rating?.tags);
    if (force || this.commentField.value.trim() !== comment) this.commentField.value = comment;
    if (force || tagsText(typedTags(this.tagsField.value)) !== tags) this.tagsField.value = tags;
  }

  /** Posts the comment and tags with the current score; without a score, asks for one first. */
  private commit(): void {
    const key = this.key;
    if (key === undefined || !this.isDirty()) {
      this.renderNote();
      return;
    }
    const tags = parseTags(this.tagsField.value);
    if (!tags.ok) {
      this.note = { kind: 'error', text: tags.error };
      this.renderNote();
      return;
    }
    const shown = this.host.shownRating(key).rating;
    if (!shown) {
      this.note = { kind: 'hint', text: l10n.t('Choose a score (1–5) first: the comment and tags are kept here and saved with it.') };
      this.renderNote();
      return;
    }
    this.note = undefined;
    const value: RatingValue = { score: shown.score, comment: this.commentField.value, tags: tags.tags };
    if (!sameRating(value, shown)) this.host.rate(key, value);
    this.render();
  }

  private renderNote(): void {
    const shown = this.key === undefined ? undefined : this.host.shownRating(this.key);
    let note = this.note;
    if (!note && this.key !== undefined && this.commentOpen) {
      if (this.isDirty()) note = { kind: 'hint', text: l10n.t('Not saved yet: leave the field or press {0}.', saveKeys) };
      else if (shown?.saving && (shown.rating?.comment || shown.rating?.tags)) note = { kind: 'hint', text: l10n.t('Saving the comment…') };
      else if (shown?.rating?.comment || shown?.rating?.tags) note = { kind: 'hint', text: l10n.t('Comment saved.'), saved: true };
    }
    const text = note?.text ?? '';
    this.noteEl.dataset.kind = note?.kind ?? '';
    if (this.noteEl.textContent === text) return;
    replaceChildren(this.noteEl, note ? [codicon(note.kind === 'error' ? 'error' : note.saved ? 'check' : 'info'), h('span', { text })] : []);
  }

  private onFieldKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      this.commit();
      return;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      // Leaving the field saves it (focusout); Escape then hands the focus back to the answer.
      event.stopPropagation();
      this.commit();
      this.onEscape();
    }
  }

  private iconButton(className: string, icon: string, label: string, title: string, attrs: Record<string, string>): HTMLButtonElement {
    return h('button', { className, attrs: { type: 'button', 'aria-label': label, title, ...attrs } }, [codicon(icon)]);
  }
}

/** The accessible names of a bar that say whose answer it rates, each a whole sentence. */
interface SubjectNames {
  rating: string;
  commentAndTags: string;
  comment: string;
  tags: string;
}

function subjectNames(model: string | undefined): SubjectNames {
  if (model === undefined) {
    return {
      rating: l10n.t('Rating of this answer'),
      commentAndTags: l10n.t('Comment and tags on this answer'),
      comment: l10n.t('Comment on this answer'),
      tags: l10n.t('Tags for this answer, comma-separated'),
    };
  }
  return {
    rating: l10n.t('Rating of the answer from {0}', model),
    commentAndTags: l10n.t('Comment and tags on the answer from {0}', model),
    comment: l10n.t('Comment on the answer from {0}', model),
    tags: l10n.t('Tags for the answer from {0}, comma-separated', model),
  };
}

/** Tags as typed, for comparing with the saved ones (as saved when valid, else as typed). */
function typedTags(text: string): string[] {
  const parsed = parseTags(text);
  return parsed.ok ? parsed.tags : text.split(',').map((t) => t.trim()).filter((t) => t !== '');
}
