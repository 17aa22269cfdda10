/**
 * The detail pane of the results grid: one grid cell's answer in full (Markdown
 * through markdown.ts, or raw), its status, error and metrics, the case input,
 * the repeats, and Copy. Streaming text is re-parsed at most every 150 ms.
 */
import * as l10n from '@vscode/l10n';
import type { SweepCellView } from '../src/core/protocol';
import { codicon, custom, h, replaceChildren, handleAnswerLinks } from './dom';
import { basePromptSuffix, caseInputSummary, cellFailureReason, cellStatusIcons, cellStatusLabel, consistencyText, isCellActive, metricCells, paramsLabel, variantLabel, variantName } from './format';
import { markdownToTree, renderTree } from './markdown';
import { RatingBar, type RatingsHost } from './ratingBar';
import { presentRepeats, type SweepData } from './sweepData';

const markdownIntervalMs = 150;
/** Above this size an answer is shown as plain text (a parse would stall the panel). */
const markdownMaxChars = 250_000;

export interface CellDetailHost extends RatingsHost {
  copy(cellId: string): void;
  close(): void;
  step(delta: number): void;
  rawChanged(raw: boolean): void;
  openLink(href: string): void;
}

export class CellDetail {
  readonly el: HTMLElement;
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly rawButton: HTMLElement & { checked?: boolean };
  private readonly copyButton: HTMLElement;
  private readonly repeatsEl: HTMLElement;
  private readonly repeatText: HTMLElement;
  private readonly consistencyEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly body: HTMLElement;
  private readonly metricsEl: HTMLElement;
  private readonly inputEl: HTMLElement;
  private readonly ratingBar: RatingBar;

  private data: SweepData | undefined;
  private key: string | undefined;
  private repeat = 0;
  private raw = false;
  /** What the body shows now, to skip a redraw when nothing changed. */
  private bodyStamp = '';
  private lastParseAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: CellDetailHost) {
    this.title = h('h2', { className: 'detail-title', attrs: { id: 'cell-detail-title', tabindex: '-1' } });
    this.subtitle = h('div', { className: 'detail-subtitle' });
    this.rawButton = custom('vscode-toolbar-button', { className: 'detail-raw', attrs: { icon: 'code', label: l10n.t('Raw text'), toggleable: '', title: l10n.t('Raw text / Markdown (r)'), 'data-action': 'toggleDetailRaw' } });
    this.rawButton.addEventListener('change', () => this.setRaw(this.rawButton.checked === true, true));
    this.copyButton = custom('vscode-toolbar-button', { className: 'detail-copy', attrs: { icon: 'copy', label: l10n.t('Copy answer'), title: l10n.t('Copy answer (c)'), 'data-action': 'copyCell' } });
    this.copyButton.addEventListener('click', () => this.copy());
    const close = custom('vscode-toolbar-button', { className: 'detail-close', attrs: { icon: 'close', label: l10n.t('Close detail'), title: l10n.t('Close (Escape)'), 'data-action': 'closeDetail' } });
    close.addEventListener('click', () => this.host.close());

    const previous = custom('vscode-toolbar-button', { attrs: { icon: 'chevron-left', label: l10n.t('Previous run'), title: l10n.t('Previous run ([)'), 'data-action': 'previousRepeat' } });
    previous.addEventListener('click', () => this.host.step(-1));
    const next = custom('vscode-toolbar-button', { attrs: { icon: 'chevron-right', label: l10n.t('Next run'), title: l10n.t('Next run (])'), 'data-action': 'nextRepeat' } });
    next.addEventListener('click', () => this.host.step(1));
    this.repeatText = h('span', { className: 'detail-repeat-text' });
    this.consistencyEl = h('span', { className: 'detail-consistency' });
    this.repeatsEl = h('div', { className: 'detail-repeats', attrs: { role: 'group', 'aria-label': l10n.t('Repeats'), hidden: '' } }, [previous, this.repeatText, next, this.consistencyEl]);

    this.statusEl = h('div', { className: 'detail-status' });
    this.errorEl = h('div', { className: 'detail-error', attrs: { hidden: '' } });
    this.body = h('div', { className: 'cell-answer md-body', attrs: { 'data-detail-body': '' } });
    handleAnswerLinks(this.body, (href) => this.host.openLink(href));
    this.metricsEl = h('div', { className: 'cell-metrics', attrs: { role: 'group', 'aria-label': l10n.t('Metrics') } });
    this.inputEl = h('details', { className: 'detail-input' });
    this.ratingBar = new RatingBar(host, undefined, () => this.title.focus());

    this.el = h('aside', { className: 'cell-detail', attrs: { 'data-cell-detail': '', role: 'region', 'aria-labelledby': 'cell-detail-title', hidden: '' } }, [
      h('header', { className: 'detail-header' }, [
        h('div', { className: 'detail-heading' }, [this.title, this.subtitle]),
        h('div', { className: 'detail-actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Answer actions') } }, [this.rawButton, this.copyButton, close]),
      ]),
      this.repeatsEl,
      h('div', { className: 'detail-scroll' }, [this.statusEl, this.errorEl, this.body, this.inputEl]),
      this.ratingBar.el,
      this.metricsEl,
    ]);
  }

  get shownKey(): string | undefined {
    return this.el.hidden ? undefined : this.key;
  }

  get isRaw(): boolean {
    return this.raw;
  }

  /** Shows a grid cell's repeat; everything is drawn again when the cell or repeat changes. */
  show(data: SweepData, key: string, repeat: number, raw: boolean): void {
    const changed = data !== this.data || key !== this.key || repeat !== this.repeat;
    this.data = data;
    this.key = key;
    this.repeat = repeat;
    this.raw = raw;
    this.applyRaw();
    this.el.hidden = false;
    if (changed) {
      this.bodyStamp = '';
      this.inputEl.removeAttribute('open');
    }
    this.refresh();
    if (changed) this.body.parentElement?.scrollTo({ top: 0 });
  }

  hide(): void {
    this.el.hidden = true;
    this.key = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  focus(): void {
    this.title.focus();
  }

  toggleRaw(): void {
    this.setRaw(!this.raw, true);
  }

  copy(): void {
    const cell = this.shownCell();
    if (cell) this.host.copy(cell.cellId);
  }

  /** Draws what changed in the shown cell (called once per frame while it streams). */
  refresh(): void {
    const data = this.data;
    const grid = this.key === undefined ? undefined : data?.cell(this.key);
    if (!data || !grid || this.el.hidden) return;
    const cell = this.shownCell();
    const sweepCase = data.cases[grid.caseIndex];
    this.title.textContent = sweepCase?.label ?? l10n.t('case {0}', grid.caseIndex + 1);
    const point = data.params.length > 1 ? paramsLabel(data.params[grid.paramsIndex]) || l10n.t('defaults') : '';
    replaceChildren(this.subtitle, [
      h('span', { className: grid.variant === '' ? 'variant-base' : '', text: variantLabel(grid.variant), attrs: { title: variantName(grid.variant) } }),
      grid.variant === '' ? h('span', { className: 'sr-only', text: basePromptSuffix() }) : null,
      h('span', { className: 'detail-sep', text: ' · ', attrs: { 'aria-hidden': 'true' } }),
      h('span', { text: grid.model }),
      point ? h('span', { className: 'detail-sep', text: ' · ', attrs: { 'aria-hidden': 'true' } }) : null,
      point ? h('span', { text: point }) : null,
    ]);
    this.el.dataset.status = cell?.status ?? grid.status;

    const count = grid.repeats.length;
    this.repeatsEl.hidden = data.repeats < 2;
    this.repeatText.textContent = l10n.t('Run {0} of {1}', this.repeat + 1, count);
    this.consistencyEl.textContent = consistencyText(data.consistency(grid.key), count);

    this.renderStatus(cell);
    this.renderError(cell);
    this.renderBody(cell);
    this.renderMetrics(cell);
    this.renderInput(sweepCase?.input);
    this.renderRating();
    setDisabled(this.copyButton, !cell);
  }

  /** Points the rating bar at the shown repeat and redraws it from the panel's rating map. */
  renderRating(): void {
    const cell = this.el.hidden ? undefined : this.shownCell();
    this.ratingBar.setTarget(cell?.answerKey, cell ? cellUnratableReason(cell) : l10n.t('Nothing to rate'));
    this.ratingBar.render();
  }

  /** A score key (1–5, or 'clear' for 0) in the detail; returns why it cannot be rated, if it cannot. */
  rateKey(score: number | 'clear'): string | undefined {
    this.renderRating();
    const done = score === 'clear' ? this.ratingBar.clear() : this.ratingBar.rateScore(score);
    return done ? undefined : this.ratingBar.disabledReason;
  }

  private shownCell(): SweepCellView | undefined {
    const grid = this.key === undefined ? undefined : this.data?.cell(this.key);
    return grid ? (grid.repeats[this.repeat] ?? presentRepeats(grid)[0]) : undefined;
  }

  private setRaw(raw: boolean, fromUser: boolean): void {
    if (raw === this.raw) return;
    this.raw = raw;
    this.applyRaw();
    this.bodyStamp = '';
    this.refresh();
    if (fromUser) this.host.rawChanged(raw);
  }

  private applyRaw(): void {
    this.rawButton.checked = this.raw;
    this.rawButton.toggleAttribute('checked', this.raw);
  }

  private renderStatus(cell: SweepCellView | undefined): void {
    const status = cell?.status ?? 'queued';
    const spinning = status === 'loading' || status === 'running';
    const notes: string[] = [];
    if (status === 'cached') notes.push(l10n.t('taken from the cache, no request was made'));
    if (cell?.attempts !== undefined && cell.attempts > 1) notes.push(l10n.t('after {0} attempts', cell.attempts));
    replaceChildren(this.statusEl, [
      h('span', { className: 'cell-status', attrs: { 'data-status': status } }, [
        codicon(cellStatusIcons[status], spinning ? 'cell-status-icon codicon-modifier-spin' : 'cell-status-icon'),
        h('span', { text: cellStatusLabel(status) }),
      ]),
      notes.length > 0 ? h('span', { className: 'detail-status-note', text: notes.join(' · ') }) : null,
    ]);
  }

  private renderError(cell: SweepCellView | undefined): void {
    if (cell?.status !== 'failed') {
      this.errorEl.hidden = true;
      this.errorEl.replaceChildren();
      return;
    }
    const reason = cellFailureReason(cell.error);
    replaceChildren(this.errorEl, [
      codicon('error', 'error-icon'),
      h('div', { className: 'error-text' }, [
        h('div', { className: 'error-headline', text: reason }),
        cell.error?.message && !reason.includes(cell.error.message) ? h('div', { className: 'error-message', text: cell.error.message }) : null,
        cell.text !== '' ? h('div', { className: 'error-note', text: l10n.t('The partial answer is kept below.') }) : null,
      ]),
    ]);
    this.errorEl.dataset.kind = cell.error?.kind ?? 'other';
    this.errorEl.hidden = false;
  }

  private renderBody(cell: SweepCellView | undefined): void {
    const text = cell?.text ?? '';
    const streaming = cell !== undefined && isCellActive(cell.status);
    const view = this.raw ? 'raw' : text.length > markdownMaxChars ? 'plain' : 'markdown';
    const stamp = `${cell?.cellId}:${view}:${text.length}:${cell?.status}`;
    if (stamp === this.bodyStamp) return;
    if (view === 'markdown' && streaming) {
      const wait = this.lastParseAt + markdownIntervalMs - performance.now();
      if (wait > 0) {
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.refresh();
        }, wait);
        return;
      }
    }
    this.bodyStamp = stamp;
    this.body.dataset.view = view;
    if (text === '') {
      replaceChildren(this.body, [h('p', { className: 'placeholder', text: streaming ? l10n.t('No text yet…') : l10n.t('No answer text.') })]);
    } else if (view === 'markdown') {
      this.body.replaceChildren(...renderTree(markdownToTree(text), document));
      this.lastParseAt = performance.now();
    } else {
      this.body.replaceChildren(document.createTextNode(text));
    }
  }

  private renderMetrics(cell: SweepCellView | undefined): void {
    const cells = metricCells(cell?.metrics);
    this.metricsEl.classList.toggle('is-empty', !cells.some((m) => m.value !== undefined));
    replaceChildren(
      this.metricsEl,
      cells.map((m) =>
        h('span', { className: `metric${m.value === undefined ? ' is-missing' : ''}${m.warning ? ' is-warning' : ''}`, attrs: { 'data-metric': m.key, 'data-value': m.raw === undefined ? undefined : String(m.raw), title: m.description } }, [
          m.label ? h('span', { className: 'metric-label', text: m.label }) : null,
          h('span', { className: 'metric-value', text: m.value ?? m.placeholder }),
        ]),
      ),
    );
  }

  private renderInput(input: Record<string, unknown> | undefined): void {
    const entries = Object.keys(input ?? {}).length;
    const text = entries === 0 ? l10n.t('No variables.') : jsonText(input);
    const pre = this.inputEl.querySelector('pre');
    if (pre && pre.textContent === text) return;
    const open = this.inputEl.hasAttribute('open');
    replaceChildren(this.inputEl, [h('summary', {}, [codicon('symbol-variable'), caseInputSummary(entries)]), h('pre', { className: 'format', text })]);
    this.inputEl.toggleAttribute('open', open);
  }

}

/** Why a sweep cell's answer cannot be rated (it has no stored answer key). */
export function cellUnratableReason(cell: SweepCellView): string {
  if (isCellActive(cell.status)) return l10n.t('Rate when finished');
  if (cell.status === 'failed') return l10n.t('Failed: nothing to rate');
  if (cell.status === 'cancelled') return l10n.t('Cancelled: nothing to rate');
  return l10n.t('Not stored yet');
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
  el.setAttribute('aria-disabled', String(disabled));
}
