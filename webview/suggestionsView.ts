/**
 * The suggestions view: which prompt the optimizer improves, with which model
 * and how much evidence; its critique as it streams (Markdown, untrusted text);
 * one card per suggested rewrite with its technique, status, summary, notes and
 * the word diff against the current prompt, and the actions its status allows.
 * The host sends the whole session each time: cards are rebuilt only when they
 * changed, and the focus is put back on the same action afterwards.
 */
import * as l10n from '@vscode/l10n';
import type { SuggestionView, SuggestionsView as SuggestionsData } from '../src/core/protocol';
import { codicon, custom, fill, h, replaceChildren } from './dom';
import { diffCountsText, diffPartNodes } from './diffView';
import { notesHeading, suggestionActionLabel, suggestionActions, suggestionStamp, suggestionStatusLabel, suggestionsHeading, suggestionsStateText, type SuggestionAction } from './feedbackModel';
import { diffWordCounts } from './format';
import type { WebviewRequest } from './hostConnection';
import { markdownToTree, renderTree } from './markdown';

export interface SuggestionsViewHost {
  post(request: WebviewRequest): void;
  openLink(href: string): void;
}

interface DrawnCard {
  el: HTMLElement;
  stamp: string;
}

export class SuggestionsView {
  readonly el: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly stateEl: HTMLElement;
  private readonly stopButton: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly critique: HTMLElement;
  private readonly list: HTMLElement;
  private readonly cards = new Map<string, DrawnCard>();
  private data: SuggestionsData | undefined;
  private critiqueText: string | undefined;
  /** Suggestions with an action on its way: their buttons wait for the reply. */
  private readonly pending = new Set<string>();

  constructor(private readonly host: SuggestionsViewHost) {
    this.heading = h('h2', { className: 'suggestions-heading' });
    this.stateEl = h('span', { className: 'suggestions-state', attrs: { 'data-suggestions-state': '', role: 'status' } });
    this.stopButton = custom('vscode-button', { className: 'action', attrs: { icon: 'debug-stop', title: l10n.t('Stop the optimizer (what it wrote so far is kept)'), 'data-action': 'stopSuggestions', secondary: '' }, text: l10n.t('Stop') });
    this.stopButton.addEventListener('click', () => {
      if (!this.stopButton.hasAttribute('disabled')) this.host.post({ type: 'stopSuggestions' });
    });
    this.errorEl = h('div', { className: 'suggestions-error', attrs: { role: 'alert', hidden: '' } });
    this.critique = h('div', { className: 'critique-body md-body', attrs: { 'data-critique': '' } });
    this.critique.addEventListener('click', (event) => this.onLink(event, this.critique));
    this.critique.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') this.onLink(event, this.critique);
    });
    this.list = h('ol', { className: 'suggestion-list', attrs: { 'aria-label': l10n.t('Suggested rewrites') } });
    this.el = h('section', { className: 'suggestions-view', attrs: { 'data-view': 'suggestions', 'aria-label': l10n.t('Suggested rewrites'), tabindex: '-1', hidden: '' } }, [
      h('header', { className: 'suggestions-bar' }, [h('div', { className: 'suggestions-title' }, [this.heading, this.stateEl]), this.stopButton]),
      this.errorEl,
      h('div', { className: 'suggestions-scroll' }, [
        h('section', { className: 'critique', attrs: { 'aria-label': l10n.t('Critique') } }, [h('h3', { text: l10n.t('Critique') }), this.critique]),
        this.list,
      ]),
    ]);
  }

  get current(): SuggestionsData | undefined {
    return this.data;
  }

  /** The action was answered (ok or not): the card's buttons come back. */
  settled(suggestionId: string): void {
    if (!this.pending.delete(suggestionId)) return;
    this.markPending(suggestionId);
  }

  show(view: SuggestionsData | undefined): void {
    if (view?.sessionId !== this.data?.sessionId) {
      this.cards.clear();
      this.pending.clear();
      this.critiqueText = undefined;
    }
    this.data = view;
    if (!view) {
      this.list.replaceChildren();
      this.critique.replaceChildren();
      return;
    }
    this.render(view);
  }

  private render(view: SuggestionsData): void {
    const focus = this.focusedAction();
    this.heading.textContent = suggestionsHeading(view);
    this.heading.title = `${view.family}: ${view.parentLabel}`;
    const running = view.state === 'running';
    replaceChildren(this.stateEl, [running ? codicon('loading', 'codicon-modifier-spin') : codicon(view.state === 'failed' ? 'error' : view.state === 'stopped' ? 'debug-stop' : 'pass'), h('span', { text: suggestionsStateText(view) })]);
    this.stateEl.dataset.state = view.state;
    this.el.dataset.state = view.state;
    this.stopButton.hidden = !running;

    this.errorEl.hidden = view.state !== 'failed';
    if (view.state === 'failed') replaceChildren(this.errorEl, [codicon('error', 'error-icon'), h('div', { className: 'error-text' }, [h('div', { className: 'error-headline', text: l10n.t('The optimizer failed') }), view.error ? h('div', { className: 'error-message', text: view.error }) : null])]);

    const critique = view.critique ?? '';
    if (critique !== this.critiqueText) {
      this.critiqueText = critique;
      if (critique === '') replaceChildren(this.critique, [h('p', { className: 'placeholder', text: running ? l10n.t('The optimizer is reading the ratings and comments…') : l10n.t('No critique.') })]);
      else this.critique.replaceChildren(...renderTree(markdownToTree(critique), document));
    }
    this.critique.setAttribute('aria-busy', String(running && view.items.length === 0));

    const seen = new Set<string>();
    const els: HTMLElement[] = [];
    for (const item of view.items) {
      seen.add(item.id);
      const stamp = suggestionStamp(item);
      let card = this.cards.get(item.id);
      if (!card || card.stamp !== stamp) {
        const el = this.card(item, view.parentLabel);
        if (card) card.el.replaceWith(el);
        card = { el, stamp };
        this.cards.set(item.id, card);
      }
      els.push(card.el);
    }
    for (const id of [...this.cards.keys()]) if (!seen.has(id)) this.cards.delete(id);
    // Only when the order or the set changed: moving nodes would drop the focus.
    const same = els.length === this.list.children.length && els.every((el, i) => this.list.children[i] === el);
    if (!same) this.list.replaceChildren(...els);
    if (focus) this.restoreFocus(focus);
  }

  private card(item: SuggestionView, parentLabel: string): HTMLElement {
    const status = suggestionStatusLabel(item.status);
    const counts = diffWordCounts(item.diff);
    const pending = this.pending.has(item.id);
    const actions = suggestionActions(item.status).map((action) => this.actionButton(item, action, pending));
    const notes = item.notes.filter((n) => n.trim() !== '');
    const titleId = `suggestion-title-${cssId(item.id)}`;
    return h('li', { className: 'suggestion-card', attrs: { 'data-suggestion-id': item.id, 'data-status': item.status, 'data-technique': item.technique, 'aria-labelledby': titleId } }, [
      h('header', { className: 'suggestion-head' }, [
        h('h3', { className: 'suggestion-technique', text: item.techniqueLabel, attrs: { id: titleId } }),
        h('span', { className: 'suggestion-status', attrs: { 'data-status': item.status } }, [codicon(status.icon, item.status === 'streaming' ? 'codicon-modifier-spin' : ''), h('span', { text: status.label })]),
      ]),
      item.summary ? h('p', { className: 'suggestion-summary', text: item.summary }) : null,
      notes.length > 0
        ? h('div', { className: `suggestion-notes is-${item.status}` }, [
          h('div', { className: 'suggestion-notes-head', text: notesHeading(item.status) }),
          h('ul', {}, notes.map((n) => h('li', { text: n }))),
        ])
        : null,
      item.diff.length > 0
        ? h('div', { className: 'suggestion-diff' }, [
          h('div', { className: 'suggestion-diff-head' }, [
            h('span', { text: l10n.t('Against {0}', parentLabel) }),
            h('span', { className: 'diff-message-counts', text: counts.removed + counts.added === 0 ? l10n.t('no change') : diffCountsText(counts.removed, counts.added) }),
          ]),
          h('pre', { className: 'diff-text', attrs: { tabindex: '0', role: 'region', 'aria-label': l10n.t('Changes proposed by “{0}”', item.techniqueLabel) } }, diffPartNodes(item.diff)),
        ])
        : null,
      item.acceptedAs ? h('p', { className: 'suggestion-saved' }, [codicon('check'), ...fill(l10n.t('Saved as {0}'), [h('strong', { text: item.acceptedAs })])]) : null,
      actions.length > 0 ? h('div', { className: 'suggestion-actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Actions for “{0}”', item.techniqueLabel) } }, actions) : null,
    ]);
  }

  private actionButton(item: SuggestionView, action: SuggestionAction, pending: boolean): HTMLElement {
    const { label, icon, title } = suggestionActionLabel(action);
    const primary = action === 'runProof' || (action === 'accept' && item.status !== 'accepted');
    // tabindex up front: the component sets its own only after its first (async) update, and the focus may have to come back at once.
    const button = custom('vscode-button', { className: 'action', attrs: { icon, title, 'data-action': action, secondary: primary ? undefined : '', tabindex: '0' }, text: label });
    setWaiting(button, pending);
    button.addEventListener('click', () => {
      if (this.pending.has(item.id)) return;
      this.pending.add(item.id);
      this.host.post({ type: 'suggestionAction', suggestionId: item.id, action });
      this.markPending(item.id);
    });
    return button;
  }

  /** While an action is on its way the card's buttons wait; they keep the focus (a disabled button would drop it). */
  private markPending(suggestionId: string): void {
    const card = this.cards.get(suggestionId)?.el;
    if (!card) return;
    const pending = this.pending.has(suggestionId);
    card.toggleAttribute('aria-busy', pending);
    for (const button of card.querySelectorAll<HTMLElement>('.suggestion-actions [data-action]')) setWaiting(button, pending);
  }

  private focusedAction(): { id: string; action: string } | undefined {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !this.list.contains(active)) return undefined;
    const id = active.closest<HTMLElement>('[data-suggestion-id]')?.dataset.suggestionId;
    return id === undefined ? undefined : { id, action: active.dataset.action ?? '' };
  }

  /** After a card was rebuilt: the same action, else the next useful one, else the card's first button. */
  private restoreFocus(focus: { id: string; action: string }): void {
    if (this.list.contains(document.activeElement)) return;
    const card = this.cards.get(focus.id)?.el;
    if (!card) {
      this.el.focus();
      return;
    }
    const target = card.querySelector<HTMLElement>(`[data-action="${focus.action}"]`) ?? card.querySelector<HTMLElement>('[data-action]');
    if (target) target.focus();
    else {
      card.tabIndex = -1;
      card.focus();
    }
  }

  private onLink(event: Event, within: HTMLElement): void {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-href]') : null;
    if (!target || !within.contains(target)) return;
    event.preventDefault();
    event.stopPropagation();
    if (target.dataset.href) this.host.openLink(target.dataset.href);
  }
}

/** A button that waits for a reply: announced as unavailable and inert to clicks, but still focusable. */
function setWaiting(button: HTMLElement, waiting: boolean): void {
  button.setAttribute('aria-disabled', String(waiting));
  button.classList.toggle('is-waiting', waiting);
}

/** An id safe inside an id attribute reference. */
function cssId(id: string): string {
  return id.replace(/[^\w-]/g, '_');
}
