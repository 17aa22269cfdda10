/**
 * One model's column: header, status, the answer (Markdown or raw), thinking,
 * errors and the metrics line. Text arrives in pieces; the column appends it and
 * redraws only when the panel flushes it (once per animation frame at most).
 */
import * as l10n from '@vscode/l10n';
import type { AnswerError, AnswerMetrics, AnswerStatus, AnswerView } from '../src/core/protocol';
import { codicon, custom, h, replaceChildren, handleAnswerLinks } from './dom';
import { errorHeadline, isActive, metricCells, shortHost, statusAnnouncement, statusIcons, statusLabel } from './format';
import { markdownToTree, renderTree } from './markdown';
import { RatingBar, type RatingsHost } from './ratingBar';

/** Re-parse Markdown while streaming at most this often (ms); slower parses stretch it. */
const markdownIntervalMs = 100;
/** Above this size a streaming answer is shown as plain text until it finishes. */
const streamingMarkdownMaxChars = 100_000;
/** Above this size an answer is never parsed as Markdown (a parse would stall the panel). */
const markdownMaxChars = 250_000;
/** How close to the bottom (px) counts as "following" the stream. */
const followSlackPx = 24;

export interface ColumnHost extends RatingsHost {
  copy(runId: string, answerId: string, model: string): void;
  openLink(href: string): void;
  rawChanged(model: string, raw: boolean): void;
  scrolled(model: string, top: number): void;
  /** The column has pending text to draw (e.g. a throttled Markdown parse). */
  requestFlush(column: AnswerColumn): void;
}

type BodyView = 'markdown' | 'raw' | 'plain';

interface Shown {
  /** Which answer is drawn: current or previous, by id. */
  key: string;
  view: BodyView;
  length: number;
}

export class AnswerColumn {
  readonly el: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly thinkingEl: HTMLDetailsElement;
  private readonly thinkingCount: HTMLElement;
  private readonly thinkingBody: HTMLElement;
  private readonly previousLabel: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly bodyNote: HTMLElement;
  private readonly scrollArea: HTMLElement;
  private readonly body: HTMLElement;
  private readonly metricsEl: HTMLElement;
  private readonly ratingBar: RatingBar;
  private readonly rawButton: HTMLElement & { checked?: boolean };
  private readonly copyButton: HTMLElement;

  private shown: Shown | undefined;
  private textNode: Text | undefined;
  private thinkingNode: Text | undefined;
  private lastMarkdownAt = -Infinity;
  private markdownCostMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renderedStatus: AnswerStatus | undefined;
  /** What the rating bar was last pointed at. */
  private ratingTarget = '';

  constructor(
    readonly runId: string,
    readonly answer: AnswerView,
    private readonly previous: { runId: string; answer: AnswerView } | undefined,
    private raw: boolean,
    private readonly host: ColumnHost,
  ) {
    const model = answer.model;
    this.statusEl = h('span', { className: 'status' });
    this.rawButton = custom('vscode-toolbar-button', {
      className: 'raw-toggle',
      attrs: { icon: 'code', label: l10n.t('Raw text for {0}', model), toggleable: '', title: l10n.t('Raw text / Markdown (r)') },
    });
    this.rawButton.addEventListener('change', () => this.setRaw(this.rawButton.checked === true, true));
    this.copyButton = custom('vscode-toolbar-button', {
      className: 'copy',
      attrs: { icon: 'copy', label: l10n.t('Copy answer from {0}', model), title: l10n.t('Copy answer (c)') },
    });
    this.copyButton.addEventListener('click', () => this.copy());

    this.errorEl = h('div', { className: 'answer-error', attrs: { hidden: '' } });
    this.thinkingCount = h('span', { className: 'thinking-count' });
    this.thinkingBody = h('div', { className: 'thinking-body' });
    this.thinkingEl = h('details', { className: 'thinking', attrs: { hidden: '' } }, [
      h('summary', {}, [codicon('lightbulb'), h('span', { text: l10n.t('Thinking') }), this.thinkingCount]),
      this.thinkingBody,
    ]);
    this.previousLabel = h('div', { className: 'previous-label', attrs: { hidden: '' } }, [codicon('history'), l10n.t('previous run')]);
    this.placeholder = h('div', { className: 'placeholder', attrs: { hidden: '' } });
    this.bodyNote = h('div', { className: 'body-note', attrs: { hidden: '' } });
    this.body = h('div', { className: 'answer-body' });
    handleAnswerLinks(this.body, (href) => this.host.openLink(href));
    this.scrollArea = h('div', { className: 'answer-scroll' }, [this.errorEl, this.thinkingEl, this.previousLabel, this.placeholder, this.bodyNote, this.body]);
    this.scrollArea.addEventListener('scroll', () => this.host.scrolled(model, this.scrollArea.scrollTop), { passive: true });
    this.metricsEl = h('div', { className: 'metrics', attrs: { role: 'group', 'aria-label': l10n.t('Metrics for {0}', model) } });
    this.ratingBar = new RatingBar(host, model, () => this.el.focus());

    const hostLabel = shortHost(answer.host);
    this.el = h(
      'article',
      {
        className: 'answer',
        attrs: {
          tabindex: '0',
          role: 'article',
          'aria-label': l10n.t('Answer from {0}', model),
          'data-model': model,
          'data-host': answer.host,
          'data-answer-id': answer.answerId,
        },
      },
      [
        h('header', { className: 'answer-header' }, [
          h('div', { className: 'model' }, [
            h('div', { className: 'model-name', attrs: { title: model } }, [codicon('hubot'), h('span', { text: model })]),
            h('div', { className: 'model-host', text: hostLabel, attrs: { title: answer.host } }),
          ]),
          this.statusEl,
          h('div', { className: 'answer-actions' }, [this.rawButton, this.copyButton]),
        ]),
        this.scrollArea,
        this.ratingBar.el,
        this.metricsEl,
      ],
    );
    this.renderStatus();
    this.renderError();
    this.renderMetrics();
    this.applyRaw();
    this.flush();
  }

  get model(): string {
    return this.answer.model;
  }

  get isRaw(): boolean {
    return this.raw;
  }

  appendChunk(text: string | undefined, thinking: string | undefined): void {
    if (text) this.answer.text += text;
    if (thinking) this.answer.thinking = (this.answer.thinking ?? '') + thinking;
  }

  /** Applies a status/error/metrics change (and the stored answer's key); returns a sentence to announce if the status changed. */
  update(status: AnswerStatus, error: AnswerError | undefined, metrics: AnswerMetrics | undefined, answerKey?: string): string | undefined {
    const changed = status !== this.answer.status;
    this.answer.status = status;
    if (answerKey !== undefined) this.answer.answerKey = answerKey;
    if (error !== undefined) this.answer.error = error;
    else if (status !== 'failed') this.answer.error = undefined;
    if (metrics !== undefined) this.answer.metrics = { ...this.answer.metrics, ...metrics };
    this.renderStatus();
    this.renderError();
    this.renderMetrics();
    this.flush();
    return changed ? statusAnnouncement(this.model, status, this.answer.metrics, this.answer.error, shortHost(this.answer.host)) : undefined;
  }

  setRaw(raw: boolean, fromUser = false): void {
    if (raw === this.raw) return;
    this.raw = raw;
    this.applyRaw();
    this.flush();
    if (fromUser) this.host.rawChanged(this.model, raw);
  }

  toggleRaw(): void {
    this.setRaw(!this.raw, true);
  }

  copy(): void {
    const shown = this.showsPrevious() && this.previous ? this.previous : { runId: this.runId, answer: this.answer };
    this.host.copy(shown.runId, shown.answer.answerId, this.model);
  }

  /** A score key (1–5, or 'clear' for 0) pressed on this column; returns why it cannot be rated, if it cannot. */
  rateKey(score: number | 'clear'): string | undefined {
    this.renderRating();
    const done = score === 'clear' ? this.ratingBar.clear() : this.ratingBar.rateScore(score);
    return done ? undefined : this.ratingBar.disabledReason;
  }

  /** The answer key the rating bar rates (the shown answer's), if it can be rated. */
  get ratedKey(): string | undefined {
    return this.ratingBar.answerKey;
  }

  /** Redraws the rating bar from the panel's rating map. */
  renderRating(): void {
    const shown = this.showsPrevious() && this.previous ? undefined : this.answer;
    let reason: string | undefined;
    if (!shown) reason = l10n.t('Rate the new answer');
    else if (isActive(shown.status)) reason = l10n.t('Rate when finished');
    else if (!shown.answerKey) reason = shown.status === 'failed' ? l10n.t('Failed: nothing to rate') : shown.status === 'stopped' ? l10n.t('Stopped: nothing to rate') : l10n.t('Not stored yet');
    this.ratingBar.setTarget(reason === undefined ? shown?.answerKey : undefined, reason);
    this.ratingBar.render();
  }

  scrollTo(top: number): void {
    this.scrollArea.scrollTop = top;
  }

  /** Scrolls the answer by keyboard while the column has focus. */
  scrollBy(direction: 1 | -1, page: boolean): void {
    const step = page ? this.scrollArea.clientHeight * 0.9 : 40;
    this.scrollArea.scrollBy({ top: direction * step });
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** Draws pending text. Cheap when nothing changed. */
  flush(): void {
    this.renderThinking();
    this.renderRatingTarget();
    const showPrevious = this.showsPrevious();
    const source = showPrevious && this.previous ? this.previous.answer : this.answer;
    const key = `${showPrevious ? 'previous' : 'current'}:${source.answerId}`;
    const text = source.text;
    const streaming = !showPrevious && isActive(this.answer.status);

    this.el.toggleAttribute('data-showing-previous', showPrevious);
    this.previousLabel.hidden = !showPrevious;
    this.body.classList.toggle('is-previous', showPrevious);
    this.renderPlaceholder(showPrevious);

    let view: BodyView = 'markdown';
    if (this.raw) view = 'raw';
    else if (text.length > markdownMaxChars || (streaming && text.length > streamingMarkdownMaxChars)) view = 'plain';
    this.body.dataset.view = view;
    const note = view !== 'plain' ? '' : streaming ? l10n.t('Long answer: plain text while it streams.') : l10n.t('Long answer ({0}): shown as plain text.', formatSize(text.length));
    this.bodyNote.hidden = note === '';
    if (this.bodyNote.textContent !== note) this.bodyNote.textContent = note;

    const follow = streaming && this.isScrolledToBottom();
    const shown = this.shown;
    if (view === 'markdown') {
      if (shown?.key === key && shown.view === 'markdown' && shown.length === text.length) return;
      const now = performance.now();
      // A slow parse (long answer) stretches the interval so streaming never freezes the panel.
      const interval = Math.max(markdownIntervalMs, this.markdownCostMs * 8);
      if (streaming && shown?.key === key && now - this.lastMarkdownAt < interval) {
        this.scheduleFlush(interval - (now - this.lastMarkdownAt));
        return;
      }
      const nodes = renderTree(markdownToTree(text), document);
      this.body.replaceChildren(...nodes);
      this.textNode = undefined;
      this.lastMarkdownAt = performance.now();
      this.markdownCostMs = this.lastMarkdownAt - now;
    } else if (shown?.key === key && shown.view !== 'markdown' && this.textNode && text.length >= shown.length) {
      if (text.length > shown.length) this.textNode.appendData(text.slice(shown.length));
    } else {
      this.textNode = document.createTextNode(text);
      this.body.replaceChildren(this.textNode);
    }
    this.shown = { key, view, length: text.length };
    if (follow) this.scrollArea.scrollTop = this.scrollArea.scrollHeight;
  }

  /** Keeps the bar on the shown answer (the previous run's gives way to the new one); cheap when nothing changed. */
  private renderRatingTarget(): void {
    const wanted = this.showsPrevious() && this.previous ? 'previous' : `${this.answer.status}:${this.answer.answerKey ?? ''}`;
    if (wanted === this.ratingTarget) return;
    this.ratingTarget = wanted;
    this.renderRating();
  }

  private scheduleFlush(delayMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.host.requestFlush(this);
    }, Math.max(0, delayMs));
  }

  /** The previous run's answer stands in until this model sends anything or finishes. */
  private showsPrevious(): boolean {
    if (!this.previous || this.previous.answer.text === '') return false;
    const started = this.answer.text !== '' || (this.answer.thinking ?? '') !== '';
    return !started && isActive(this.answer.status);
  }

  private isScrolledToBottom(): boolean {
    const area = this.scrollArea;
    return area.scrollHeight - area.scrollTop - area.clientHeight <= followSlackPx;
  }

  private applyRaw(): void {
    this.rawButton.checked = this.raw;
    this.rawButton.toggleAttribute('checked', this.raw);
    this.el.dataset.view = this.raw ? 'raw' : 'markdown';
  }


  private renderPlaceholder(showPrevious: boolean): void {
    const { status, text } = this.answer;
    let message = '';
    if (!showPrevious && text === '') {
      if (status === 'queued') message = l10n.t('Waiting for a free request slot…');
      else if (status === 'loading') message = l10n.t('Waiting for the first token — the model may be loading…');
      else if (status === 'done') message = l10n.t('The model returned an empty answer.');
      else if (status === 'stopped') message = l10n.t('Stopped before any text arrived.');
    }
    this.placeholder.hidden = message === '';
    if (this.placeholder.textContent !== message) this.placeholder.textContent = message;
  }

  private renderThinking(): void {
    const thinking = this.answer.thinking ?? '';
    this.thinkingEl.hidden = thinking === '';
    if (thinking === '') return;
    const current = this.thinkingNode?.data.length ?? 0;
    if (this.thinkingNode && thinking.length >= current) {
      if (thinking.length > current) this.thinkingNode.appendData(thinking.slice(current));
    } else {
      this.thinkingNode = document.createTextNode(thinking);
      this.thinkingBody.replaceChildren(this.thinkingNode);
    }
    const thinkingNow = this.answer.text === '' && isActive(this.answer.status);
    // The leading space parts the count from "Thinking" (the summary's text before it).
    this.thinkingCount.textContent = ` ${thinkingNow ? l10n.t('— thinking…') : l10n.t('({0} chars)', thinking.length.toLocaleString('en-US'))}`;
  }

  private renderStatus(): void {
    const { status } = this.answer;
    this.el.dataset.status = status;
    if (this.renderedStatus === status) return;
    this.renderedStatus = status;
    const spinning = status === 'loading' || status === 'streaming';
    replaceChildren(this.statusEl, [
      codicon(statusIcons[status], spinning ? 'status-icon codicon-modifier-spin' : 'status-icon'),
      h('span', { className: 'status-text', text: statusLabel(status) }),
    ]);
    this.statusEl.dataset.status = status;
    this.statusEl.title = l10n.t('Status: {0}', statusLabel(status));
  }

  private renderError(): void {
    const { status, error } = this.answer;
    if (status === 'failed') {
      const failure = error ?? { kind: 'other' as const, message: '' };
      const headline = errorHeadline(failure, this.model, shortHost(this.answer.host));
      // "cut" already says so in its headline.
      const keptNote = this.answer.text !== '' && failure.kind !== 'cut';
      replaceChildren(this.errorEl, [
        codicon('error', 'error-icon'),
        h('div', { className: 'error-text' }, [
          h('div', { className: 'error-headline', text: headline }),
          failure.message ? h('div', { className: 'error-message', text: failure.message }) : null,
          keptNote ? h('div', { className: 'error-note', text: l10n.t('The partial answer is kept below.') }) : null,
        ]),
      ]);
      this.errorEl.dataset.kind = failure.kind;
      this.errorEl.className = 'answer-error is-error';
      this.errorEl.setAttribute('role', 'alert');
      this.errorEl.hidden = false;
    } else if (status === 'stopped' && this.answer.text !== '') {
      replaceChildren(this.errorEl, [codicon('debug-stop', 'error-icon'), h('div', { className: 'error-text' }, [h('div', { className: 'error-headline', text: l10n.t('Stopped — partial answer kept') })])]);
      this.errorEl.className = 'answer-error is-stopped';
      this.errorEl.removeAttribute('role');
      delete this.errorEl.dataset.kind;
      this.errorEl.hidden = false;
    } else {
      this.errorEl.hidden = true;
      this.errorEl.replaceChildren();
    }
  }

  private renderMetrics(): void {
    const cells = metricCells(this.answer.metrics);
    const anyValue = cells.some((cell) => cell.value !== undefined);
    this.metricsEl.classList.toggle('is-empty', !anyValue);
    replaceChildren(
      this.metricsEl,
      cells.map((cell) =>
        h(
          'span',
          {
            className: `metric${cell.value === undefined ? ' is-missing' : ''}${cell.warning ? ' is-warning' : ''}`,
            attrs: {
              'data-metric': cell.key,
              'data-value': cell.raw === undefined ? undefined : String(cell.raw),
              title: cell.description,
            },
          },
          [cell.label ? h('span', { className: 'metric-label', text: cell.label }) : null, h('span', { className: 'metric-value', text: cell.value ?? cell.placeholder })],
        ),
      ),
    );
  }
}

function formatSize(chars: number): string {
  return chars >= 1_000_000 ? l10n.t('{0} M characters', (chars / 1_000_000).toFixed(1)) : l10n.t('{0} k characters', Math.round(chars / 1000));
}
