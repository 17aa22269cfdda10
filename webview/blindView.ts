/**
 * Blind A/B: two answers to the same case side by side, labelled only "A" and
 * "B" (the host never sends which variant or model wrote them), rendered as
 * Markdown through markdown.ts (untrusted text). The verdict goes with an
 * optional comment; the next pair comes from the host. Keys: a / ←, b / →,
 * t / =, s. The buttons stay the same elements across pairs, so the focus stays
 * where it was and the user can go on with the keyboard.
 */
import * as l10n from '@vscode/l10n';
import type { BlindPairView } from '../src/core/protocol';
import { codicon, custom, fill, h, replaceChildren } from './dom';
import { blindChoiceWords, blindKeyChoice, blindProgressText, type BlindChoice } from './feedbackModel';
import { caseInputSummary } from './format';
import type { WebviewRequest } from './hostConnection';
import { markdownToTree, renderTree } from './markdown';
import { isTextEntry } from './ratingBar';
import { maxCommentLength } from './ratingStore';

export interface BlindViewHost {
  post(request: WebviewRequest): void;
  openLink(href: string): void;
  announce(text: string): void;
  /** The comment typed for a pair, kept across a reload. */
  draft(pairId: string): string | undefined;
  saveDraft(pairId: string, text: string): void;
}

/** The verdict buttons (a function: the words are looked up when the view is built, after l10n.config). */
function choiceButtons(): readonly { choice: BlindChoice; action: string; label: string; icon: string; title: string; shortcut: string }[] {
  return [
    { choice: 'left', action: 'blindLeft', label: l10n.t('A is better'), icon: 'arrow-left', title: l10n.t('A is better (a or ←)'), shortcut: 'A ArrowLeft' },
    { choice: 'tie', action: 'blindTie', label: l10n.t('Tie'), icon: 'arrow-both', title: l10n.t('Tie (t or =)'), shortcut: 'T =' },
    { choice: 'right', action: 'blindRight', label: l10n.t('B is better'), icon: 'arrow-right', title: l10n.t('B is better (b or →)'), shortcut: 'B ArrowRight' },
    { choice: 'skip', action: 'blindSkip', label: l10n.t('Skip'), icon: 'debug-step-over', title: l10n.t('Skip (s)'), shortcut: 'S' },
  ];
}

export class BlindView {
  readonly el: HTMLElement;
  private readonly caseLabel: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly inputEl: HTMLDetailsElement;
  private readonly sides: HTMLElement;
  private readonly leftBody: HTMLElement;
  private readonly rightBody: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly buttons: Map<BlindChoice, HTMLElement>;
  private readonly comment: HTMLTextAreaElement;
  private readonly waiting: HTMLElement;
  private readonly emptyEl: HTMLElement;

  private pair: BlindPairView | undefined;
  private message: string | undefined;
  /** The pair a verdict was posted for: no second verdict until the next pair (or an error). */
  private judging: string | undefined;
  private lastJudged = 0;

  constructor(private readonly host: BlindViewHost) {
    this.caseLabel = h('h2', { className: 'blind-case' });
    this.progress = h('span', { className: 'blind-progress', attrs: { 'data-blind-progress': '', role: 'status' } });
    this.inputEl = h('details', { className: 'blind-input detail-input' });
    this.leftBody = this.answerBody('A');
    this.rightBody = this.answerBody('B');
    this.sides = h('div', { className: 'blind-sides' }, [this.side('left', 'A', this.leftBody), this.side('right', 'B', this.rightBody)]);
    this.buttons = new Map(choiceButtons().map((b) => {
      const button = custom('vscode-button', {
        className: `action blind-choice blind-choice-${b.choice}`,
        attrs: { icon: b.icon, title: b.title, 'data-action': b.action, 'aria-keyshortcuts': b.shortcut, secondary: b.choice === 'skip' || b.choice === 'tie' ? '' : undefined },
        text: b.label,
      });
      button.addEventListener('click', () => this.choose(b.choice));
      return [b.choice, button] as const;
    }));
    this.comment = h('textarea', {
      className: 'blind-comment',
      attrs: { 'data-blind-comment': '', rows: '2', maxlength: String(maxCommentLength), 'aria-label': l10n.t('Comment on this comparison (optional, sent with your verdict)'), placeholder: l10n.t('Why? (optional, sent with your verdict)') },
    });
    this.comment.addEventListener('input', () => {
      if (this.pair) this.host.saveDraft(this.pair.pairId, this.comment.value);
    });
    this.comment.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      this.el.focus();
    });
    this.waiting = h('span', { className: 'blind-waiting', attrs: { hidden: '' } }, [codicon('loading', 'codicon-modifier-spin'), l10n.t('Saved: waiting for the next pair…')]);
    this.footer = h('div', { className: 'blind-footer' }, [
      h('div', { className: 'blind-actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Verdict') } }, [...this.buttons.values(), this.waiting]),
      this.comment,
      h('p', { className: 'blind-keys', attrs: { 'aria-hidden': 'true' } }, fill(
        l10n.t('Keys: {0} / {1} A is better · {2} / {3} tie · {4} / {5} B is better · {6} skip'),
        ['a', '←', 't', '=', 'b', '→', 's'].map((key) => h('kbd', { text: key })),
      )),
    ]);
    this.emptyEl = h('div', { className: 'blind-empty', attrs: { role: 'status', hidden: '' } });
    this.el = h('section', {
      className: 'blind-view',
      attrs: { 'data-view': 'blind', 'aria-label': l10n.t('Blind A/B comparison'), tabindex: '-1', 'aria-keyshortcuts': 'A B T S ArrowLeft ArrowRight =', hidden: '' },
    }, [
      h('header', { className: 'blind-bar' }, [h('div', { className: 'blind-heading' }, [this.caseLabel, this.progress]), this.inputEl]),
      this.sides,
      this.footer,
      this.emptyEl,
    ]);
    this.el.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  /** True once the host has sent a pair or said there is none. */
  get hasData(): boolean {
    return this.pair !== undefined || this.message !== undefined;
  }

  get current(): BlindPairView | undefined {
    return this.pair;
  }

  /** A pair to judge, or none with the host's message. */
  show(pair: BlindPairView | undefined, message?: string): void {
    const hadFocus = this.el.contains(document.activeElement);
    const samePair = pair !== undefined && pair.pairId === this.pair?.pairId;
    this.pair = pair;
    this.message = pair ? undefined : (message ?? l10n.t('No more pairs to compare.'));
    if (!samePair) this.judging = undefined;
    if (pair) this.lastJudged = pair.judged;

    this.sides.hidden = !pair;
    this.footer.hidden = !pair;
    this.inputEl.hidden = !pair;
    this.emptyEl.hidden = pair !== undefined;
    if (pair) {
      this.caseLabel.textContent = pair.caseLabel;
      this.caseLabel.title = pair.family;
      this.progress.textContent = blindProgressText(pair.judged, pair.remaining);
      this.renderInput(pair.input);
      if (!samePair) {
        this.renderAnswer(this.leftBody, pair.left);
        this.renderAnswer(this.rightBody, pair.right);
        this.leftBody.scrollTop = 0;
        this.rightBody.scrollTop = 0;
        this.comment.value = this.host.draft(pair.pairId) ?? '';
      }
    } else {
      this.caseLabel.textContent = l10n.t('Blind A/B');
      this.progress.textContent = blindProgressText(this.lastJudged, 0);
      replaceChildren(this.emptyEl, [
        codicon('pass', 'blind-empty-icon'),
        h('p', { text: this.message ?? '' }),
        h('p', { className: 'blind-empty-hint', text: l10n.t('Your verdicts count in the Scores view: blind A/B strengths and win rates.') }),
      ]);
    }
    this.renderButtons();
    // The focus was on a verdict button or the view: keep it in the view for the next verdict.
    if (hadFocus && !this.el.contains(document.activeElement)) this.el.focus();
  }

  /** No blind session (the host's state has none). */
  clear(): void {
    this.pair = undefined;
    this.message = undefined;
    this.judging = undefined;
    this.sides.hidden = true;
    this.footer.hidden = true;
    this.inputEl.hidden = true;
    this.emptyEl.hidden = true;
    this.leftBody.replaceChildren();
    this.rightBody.replaceChildren();
  }

  /** The host refused a verdict or skip: it can be given again. */
  failed(pairId: string): void {
    if (this.judging !== pairId) return;
    this.judging = undefined;
    this.renderButtons();
  }

  focus(): void {
    this.el.focus({ preventScroll: true });
  }

  private choose(choice: BlindChoice): void {
    const pair = this.pair;
    if (!pair || this.judging === pair.pairId) return;
    this.judging = pair.pairId;
    // Should the host have no next pair, the count still includes this verdict.
    if (choice !== 'skip') this.lastJudged = pair.judged + 1;
    if (choice === 'skip') {
      this.host.post({ type: 'blindSkip', pairId: pair.pairId });
    } else {
      const comment = this.comment.value.trim();
      this.host.post({ type: 'blindVerdict', pairId: pair.pairId, winner: choice, ...(comment ? { comment } : {}) });
    }
    this.host.saveDraft(pair.pairId, '');
    this.host.announce(l10n.t('{0}. Waiting for the next pair.', blindChoiceWords(choice)));
    this.renderButtons();
  }

  private renderButtons(): void {
    const busy = this.pair !== undefined && this.judging === this.pair.pairId;
    // aria-disabled, not disabled: a disabled button would drop the focus the user goes on from.
    for (const button of this.buttons.values()) {
      button.setAttribute('aria-disabled', String(busy));
      button.classList.toggle('is-waiting', busy);
    }
    this.waiting.hidden = !busy;
    this.comment.readOnly = busy;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey || isTextEntry(event.target)) return;
    const choice = blindKeyChoice(event.key);
    if (!choice || !this.pair) return;
    event.preventDefault();
    this.choose(choice);
  }

  private side(which: 'left' | 'right', letter: string, body: HTMLElement): HTMLElement {
    const name = l10n.t('Answer {0}', letter);
    return h('article', { className: `blind-side blind-side-${which}`, attrs: { 'data-blind-side': which, 'aria-label': name } }, [
      h('header', { className: 'blind-side-head' }, [h('span', { className: 'blind-letter', text: letter, attrs: { 'aria-hidden': 'true' } }), h('span', { className: 'blind-side-title', text: name })]),
      body,
    ]);
  }

  private answerBody(letter: string): HTMLElement {
    const body = h('div', { className: 'blind-answer md-body', attrs: { tabindex: '0', role: 'region', 'aria-label': l10n.t('Answer {0} text', letter) } });
    const activate = (event: Event): void => {
      const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-href]') : null;
      if (!target || !body.contains(target)) return;
      event.preventDefault();
      event.stopPropagation();
      if (target.dataset.href) this.host.openLink(target.dataset.href);
    };
    body.addEventListener('click', activate);
    body.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') activate(event);
    });
    return body;
  }

  private renderAnswer(body: HTMLElement, text: string): void {
    if (text === '') {
      replaceChildren(body, [h('p', { className: 'placeholder', text: l10n.t('Empty answer.') })]);
      return;
    }
    body.replaceChildren(...renderTree(markdownToTree(text), document));
  }

  private renderInput(input: Record<string, unknown>): void {
    const entries = Object.keys(input).length;
    const text = entries === 0 ? l10n.t('No variables.') : jsonText(input);
    const open = this.inputEl.open;
    replaceChildren(this.inputEl, [h('summary', {}, [codicon('symbol-variable'), caseInputSummary(entries)]), h('pre', { className: 'format', text })]);
    this.inputEl.open = open;
  }
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
