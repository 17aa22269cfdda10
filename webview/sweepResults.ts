/**
 * The sweep view: progress and actions (Cancel, Run again, Export), grid options
 * (grouping, filters), the per-variant summary, the results grid and the cell
 * detail. Updates are applied to the data as they arrive; drawing happens at
 * most once per animation frame and only for what is in view.
 */
import * as l10n from '@vscode/l10n';
import type { HostToWebview, SweepView } from '../src/core/protocol';
import { CellDetail, cellUnratableReason } from './cellDetail';
import { codicon, custom, h, replaceChildren } from './dom';
import { basePromptSuffix, finishedCount, formatDuration, formatRate, progressText, scoreText, variantLabel, variantName } from './format';
import { buildLayout, filterRows, type GridGrouping, type GridLayout } from './gridModel';
import type { WebviewRequest } from './hostConnection';
import { isTextEntry, type RatingsHost } from './ratingBar';
import { ratingKey, withScore } from './ratingStore';
import { SweepData, presentRepeats } from './sweepData';
import { SweepGrid } from './sweepGrid';
import type { SweepUiState } from './uiState';

export interface SweepResultsHost extends RatingsHost {
  post(request: WebviewRequest): void;
  openLink(href: string): void;
  announce(text: string): void;
  /** UI state changed: persist it soon. */
  saveSoon(): void;
}

type SweepCellsMessage = Extract<HostToWebview, { type: 'sweepCells' }>;
type SweepFinishedMessage = Extract<HostToWebview, { type: 'sweepFinished' }>;

export class SweepResults {
  readonly el: HTMLElement;
  private readonly grid: SweepGrid;
  private readonly detail: CellDetail;
  private readonly stateIcon: HTMLElement;
  private readonly progressLabel: HTMLElement;
  private readonly stateWord: HTMLElement;
  private readonly progressBar: HTMLElement;
  private readonly progressFill: HTMLElement;
  private readonly cancelButton: HTMLElement;
  private readonly rerunButton: HTMLElement;
  private readonly exportButton: HTMLElement;
  private readonly groupButtons: Record<GridGrouping, HTMLElement>;
  private readonly failedButton: HTMLElement;
  private readonly differingButton: HTMLElement;
  private readonly rowCount: HTMLElement;
  private readonly summary: HTMLDetailsElement;
  private readonly summaryTable: HTMLElement;

  private data: SweepData | undefined;
  private layout: GridLayout | undefined;
  private readonly dirty = new Set<string>();
  private frame: number | undefined;
  private summaryStamp = '';
  /** A remembered scroll to apply once the view shows (a hidden grid cannot scroll). */
  private pendingScroll: { top: number; left: number } | undefined;
  /** The rows the grid shows (case indices after the filters). */
  private gridRows: number[] = [];

  constructor(
    private readonly ui: SweepUiState,
    private readonly host: SweepResultsHost,
  ) {
    this.stateIcon = h('span', { className: 'sweep-state-icon' });
    this.progressLabel = h('span', { className: 'sweep-progress-text', attrs: { 'data-sweep-progress': '' } });
    this.stateWord = h('span', { className: 'sweep-state-word' });
    this.progressFill = h('div', { className: 'progress-fill' });
    this.progressBar = h('div', { className: 'progress-track', attrs: { role: 'progressbar', 'aria-label': l10n.t('Sweep progress'), 'aria-valuemin': '0' } }, [this.progressFill]);
    this.cancelButton = this.button('cancelSweep', l10n.t('Cancel'), 'debug-stop', l10n.t('Cancel the sweep (finished cells are kept)'), true);
    this.rerunButton = this.button('rerunSweep', l10n.t('Run again'), 'debug-rerun', l10n.t('Run the same sweep again (unchanged cells come from the cache)'), false);
    this.exportButton = this.button('exportSweep', l10n.t('Export…'), 'export', l10n.t('Export the results (you choose where and the format)'), true);

    this.groupButtons = {
      model: this.toggle('groupByModel', l10n.t('Model'), 'hubot', l10n.t('Columns grouped by model, variants side by side')),
      variant: this.toggle('groupByVariant', l10n.t('Variant'), 'versions', l10n.t('Columns grouped by variant, models side by side')),
    };
    this.failedButton = this.toggle('failedOnly', l10n.t('Failed only'), 'error', l10n.t('Show only cases with a failed cell'));
    this.differingButton = this.toggle('differingOnly', l10n.t('Differing only'), 'diff', l10n.t('Show only cases whose finished answers differ (whitespace ignored)'));
    this.rowCount = h('span', { className: 'row-count', attrs: { role: 'status' } });

    this.summaryTable = h('div', { className: 'variant-summary-body' });
    this.summary = h('details', { className: 'variant-summary', attrs: { 'data-variant-summary': '' } }, [h('summary', {}, [h('span', { text: l10n.t('Summary by variant') })]), this.summaryTable]);
    this.summary.open = ui.summaryOpen;
    this.summary.addEventListener('toggle', () => {
      this.ui.summaryOpen = this.summary.open;
      this.host.saveSoon();
    });

    this.grid = new SweepGrid(
      {
        activeChanged: (key) => this.activeChanged(key),
        open: (key, byKeyboard) => this.open(key, byKeyboard),
        copy: (key) => this.copy(key),
        escape: () => this.closeDetail(),
        repeatChanged: (key, repeat) => this.repeatChanged(key, repeat),
        scrolled: (top, left) => {
          this.ui.scrollTop = top;
          this.ui.scrollLeft = left;
          this.host.saveSoon();
        },
        rate: (key, score) => this.rateCell(key, score),
        shownRating: (answerKey) => this.host.shownRating(answerKey),
      },
      l10n.t('Sweep results'),
    );
    this.detail = new CellDetail({
      copy: (cellId) => this.postCopy(cellId),
      close: () => this.closeDetail(),
      step: (delta) => this.stepSelected(delta),
      rawChanged: (raw) => {
        this.ui.detailRaw = raw;
        this.host.saveSoon();
      },
      openLink: (href) => this.host.openLink(href),
      shownRating: (answerKey) => this.host.shownRating(answerKey),
      rate: (answerKey, value) => this.host.rate(answerKey, value),
      clearRating: (answerKey) => this.host.clearRating(answerKey),
    });
    this.detail.el.addEventListener('keydown', (event) => this.onDetailKeyDown(event));

    this.el = h('section', { className: 'sweep-view', attrs: { 'data-view': 'sweep', 'aria-label': l10n.t('Sweep results'), hidden: '' } }, [
      h('div', { className: 'sweep-bar' }, [
        h('div', { className: 'sweep-progress' }, [this.stateIcon, this.progressLabel, this.stateWord, this.progressBar]),
        h('div', { className: 'sweep-actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Sweep actions') } }, [this.cancelButton, this.rerunButton, this.exportButton]),
      ]),
      h('div', { className: 'sweep-options' }, [
        h('div', { className: 'segmented', attrs: { role: 'group', 'aria-label': l10n.t('Group columns by') } }, [h('span', { className: 'segmented-label', text: l10n.t('Group by'), attrs: { 'aria-hidden': 'true' } }), this.groupButtons.model, this.groupButtons.variant]),
        h('div', { className: 'segmented', attrs: { role: 'group', 'aria-label': l10n.t('Filter cases') } }, [h('span', { className: 'segmented-label', text: l10n.t('Show'), attrs: { 'aria-hidden': 'true' } }), this.failedButton, this.differingButton]),
        this.rowCount,
      ]),
      this.summary,
      h('div', { className: 'sweep-main' }, [this.grid.el, this.detail.el]),
    ]);
  }

  get sweep(): SweepData | undefined {
    return this.data;
  }

  /**
   * Shows a sweep: a new one (`sweepStarted`) or one replayed by `state`. View
   * choices carry over; with `restoreScroll` the remembered scroll is applied.
   */
  load(view: SweepView, restoreScroll: boolean): void {
    const previous = this.data;
    const data = new SweepData(view);
    this.data = data;
    this.layout = buildLayout(data, this.ui.grouping);
    this.dirty.clear();
    this.summaryStamp = '';
    const selected = this.ui.selectedCell !== undefined && data.cell(this.ui.selectedCell) ? this.ui.selectedCell : undefined;
    this.grid.setSweep(data, this.layout, this.filteredRows(), this.ui.activeCell ?? selected);
    if (selected !== undefined) this.grid.setRepeat(selected, this.ui.selectedRepeat);
    this.showDetail(selected);
    this.renderChrome();
    // After a reload: the remembered place. A run of the same sweep keeps the place; a different sweep starts at the top left.
    if (restoreScroll) this.pendingScroll = { top: this.ui.scrollTop, left: this.ui.scrollLeft };
    else if (!previous || !sameShape(previous, data)) this.pendingScroll = { top: 0, left: 0 };
    this.shown();
  }

  /** The host has no sweep (any more). */
  clear(): void {
    this.pendingScroll = undefined;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.data = undefined;
    this.layout = undefined;
    this.dirty.clear();
    this.gridRows = [];
    this.detail.hide();
    this.el.removeAttribute('data-detail-open');
    this.grid.clear();
  }

  applyCells(message: SweepCellsMessage): void {
    const data = this.data;
    if (!data || message.sweepId !== data.sweepId) return;
    for (const key of data.apply(message.updates)) this.dirty.add(key);
    data.applySummaries(message.summaries);
    if (message.consistency) {
      data.applyConsistency(message.consistency);
      for (const c of message.consistency) this.dirty.add(c.key);
    }
    this.schedule();
  }

  finish(message: SweepFinishedMessage): void {
    const data = this.data;
    if (!data || message.sweepId !== data.sweepId) return;
    for (const key of data.finish(message.state)) this.dirty.add(key);
    this.flush();
    const p = data.progress();
    const answered = p.done + p.cached;
    const parts = [l10n.t('{0} of {1} answered', answered, p.total)];
    if (p.failed > 0) parts.push(l10n.t('{0} failed', p.failed));
    if (p.cancelled > 0) parts.push(l10n.t('{0} cancelled', p.cancelled));
    const counts = parts.join(', ');
    this.host.announce(message.state === 'cancelled' ? l10n.t('Sweep cancelled: {0}', counts) : l10n.t('Sweep finished: {0}', counts));
  }

  /** The view became visible: draw it now (nothing is drawn while hidden). */
  shown(): void {
    const scroll = this.pendingScroll;
    if (scroll && this.grid.isShown) {
      this.pendingScroll = undefined;
      this.grid.scrollTo(scroll.top, scroll.left);
    }
    this.grid.render();
  }

  /** Puts the focus in the grid (on its focused cell). */
  focusGrid(): void {
    this.grid.focusActive();
  }

  /** Ratings changed: cells in view and the detail show them (cells redraw only when their rating did). */
  ratingsChanged(): void {
    if (!this.data) return;
    this.grid.render();
    if (this.detail.shownKey !== undefined) this.detail.renderRating();
  }

  // Drawing

  private schedule(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.frame !== undefined) {
      cancelAnimationFrame(this.frame);
      this.frame = undefined;
    }
    const data = this.data;
    if (!data) return;
    if (this.dirty.size > 0 && (this.ui.failedOnly || this.ui.differingOnly)) {
      const rows = this.filteredRows();
      if (!sameRows(rows, this.gridRows)) this.grid.setRows(rows, this.emptyText());
    }
    const selected = this.detail.shownKey;
    if (selected !== undefined && this.dirty.has(selected)) this.detail.refresh();
    this.dirty.clear();
    this.grid.render();
    this.renderChrome();
  }

  private filteredRows(): number[] {
    const data = this.data;
    const rows = data ? filterRows(data.cases.length, { failedOnly: this.ui.failedOnly, differingOnly: this.ui.differingOnly }, (row) => data.rowFlags(row)) : [];
    this.gridRows = rows;
    return rows;
  }

  private emptyText(): string {
    if (this.data && this.data.cases.length === 0) return l10n.t('This sweep has no test cases.');
    if (this.ui.failedOnly && this.ui.differingOnly) return l10n.t('No case has both a failure and differing answers.');
    if (this.ui.failedOnly) return l10n.t('No case has a failed cell.');
    if (this.ui.differingOnly) return l10n.t('In every case the finished answers are identical.');
    return '';
  }

  private renderChrome(): void {
    const data = this.data;
    if (!data) return;
    const p = data.progress();
    const finished = finishedCount(p);
    const running = data.state === 'running';
    this.progressLabel.textContent = progressText(p);
    this.el.dataset.sweepState = data.state;
    const spin = running ? 'loading' : data.state === 'cancelled' ? 'circle-slash' : p.failed > 0 ? 'warning' : 'pass-filled';
    if (this.stateIcon.dataset.icon !== spin) {
      this.stateIcon.dataset.icon = spin;
      replaceChildren(this.stateIcon, [codicon(spin, running ? 'codicon-modifier-spin' : '')]);
    }
    const took = data.finishedAt !== undefined ? formatDuration(data.finishedAt - data.startedAt) : undefined;
    this.stateWord.textContent = running ? l10n.t('running') : data.state === 'cancelled' ? l10n.t('cancelled') : took ? l10n.t('finished in {0}', took) : l10n.t('finished');
    this.progressBar.setAttribute('aria-valuemax', String(p.total));
    this.progressBar.setAttribute('aria-valuenow', String(finished));
    this.progressBar.setAttribute('aria-valuetext', progressText(p));
    this.progressFill.style.transform = `scaleX(${p.total === 0 ? 1 : finished / p.total})`;

    this.cancelButton.hidden = !running;
    setDisabled(this.cancelButton, !running);
    this.rerunButton.hidden = running;
    this.exportButton.hidden = running;
    setDisabled(this.rerunButton, running);
    setDisabled(this.exportButton, running);

    for (const grouping of ['model', 'variant'] as const) setPressed(this.groupButtons[grouping], this.ui.grouping === grouping);
    setPressed(this.failedButton, this.ui.failedOnly);
    setPressed(this.differingButton, this.ui.differingOnly);
    const shown = this.gridRows.length;
    const total = data.cases.length;
    this.rowCount.textContent = shown === total ? (total === 1 ? l10n.t('1 case') : l10n.t('{0} cases', total)) : l10n.t('{0} of {1} cases', shown, total);

    this.renderSummaryTable(data);
  }

  private renderSummaryTable(data: SweepData): void {
    const stamp = `${data.sweepId}|${data.summariesVersion}`;
    if (stamp === this.summaryStamp) return;
    this.summaryStamp = stamp;
    const summaries = data.variants.map((variant) => ({ variant, summary: data.variantSummary(variant) }));
    const withScore = summaries.some((s) => s.summary?.meanScore !== undefined);
    const header = [l10n.t('Variant'), l10n.t('Done'), l10n.t('Failed'), l10n.t('Mean total'), l10n.t('Mean TTFT'), l10n.t('Mean tok/s'), ...(withScore ? [l10n.t('Score')] : [])];
    const dash = '—';
    replaceChildren(this.summaryTable, [
      h('table', { className: 'summary-table' }, [
        h('thead', {}, [h('tr', {}, header.map((label, i) => h('th', { text: label, attrs: { scope: 'col', class: i === 0 ? undefined : 'num' } })))]),
        h('tbody', {}, summaries.map(({ variant, summary }) =>
          h('tr', { attrs: { 'data-summary-variant': variant } }, [
            h('th', { attrs: { scope: 'row', title: variantName(variant) } }, [h('span', { className: variant === '' ? 'variant-base' : '', text: variantLabel(variant) }), variant === '' ? h('span', { className: 'sr-only', text: basePromptSuffix() }) : null]),
            h('td', { className: 'num', text: summary ? l10n.t('{0} of {1}', summary.done, summary.cells) : dash }),
            h('td', { className: summary && summary.failed > 0 ? 'num has-failures' : 'num' }, [summary && summary.failed > 0 ? codicon('error') : null, summary ? String(summary.failed) : dash]),
            h('td', { className: 'num', text: formatDuration(summary?.meanTotalMs) ?? dash }),
            h('td', { className: 'num', text: formatDuration(summary?.meanTtftMs) ?? dash }),
            h('td', { className: 'num', text: formatRate(summary?.meanTokensPerSecond) ?? dash }),
            withScore ? h('td', { className: 'num', text: scoreText(summary?.meanScore, summary?.ratings) ?? dash }) : null,
          ]),
        )),
      ]),
    ]);
  }

  // The detail

  private activeChanged(key: string): void {
    this.ui.activeCell = key;
    // While the detail is open it follows the focused cell.
    if (this.detail.shownKey !== undefined && this.detail.shownKey !== key) this.showDetail(key);
    this.host.saveSoon();
  }

  private open(key: string, byKeyboard: boolean): void {
    this.showDetail(key);
    // The detail takes room from the grid: keep the chosen cell in view.
    this.grid.revealActive();
    if (byKeyboard) this.detail.focus();
  }

  private showDetail(key: string | undefined): void {
    const data = this.data;
    this.ui.selectedCell = key;
    this.grid.setSelected(key);
    if (!data || key === undefined) {
      this.detail.hide();
      this.el.removeAttribute('data-detail-open');
    } else {
      this.ui.selectedRepeat = this.grid.repeatOf(key);
      this.detail.show(data, key, this.ui.selectedRepeat, this.ui.detailRaw);
      this.el.setAttribute('data-detail-open', '');
    }
    this.host.saveSoon();
  }

  /** Closes the detail and puts the focus back on its cell; false when it was not open. */
  private closeDetail(): boolean {
    if (this.detail.shownKey === undefined) return false;
    this.showDetail(undefined);
    // Back to the cell the detail was opened from.
    this.grid.focusActive();
    return true;
  }

  private stepSelected(delta: number): void {
    const key = this.detail.shownKey;
    if (key === undefined) return;
    this.grid.setRepeat(key, this.grid.repeatOf(key) + delta);
    this.repeatChanged(key, this.grid.repeatOf(key));
    this.grid.render();
  }

  private repeatChanged(key: string, repeat: number): void {
    if (this.detail.shownKey === key) this.showDetail(key);
    const count = this.data?.cell(key)?.repeats.length ?? 0;
    this.host.announce(l10n.t('Run {0} of {1}', repeat + 1, count));
  }

  private copy(key: string): void {
    const grid = this.data?.cell(key);
    if (!grid) return;
    const cell = grid.repeats[this.grid.repeatOf(key)] ?? presentRepeats(grid)[0];
    if (cell) this.postCopy(cell.cellId);
  }

  /** A score key on a grid cell: rates the repeat the cell shows, or says why it cannot be rated. */
  private rateCell(key: string, score: number | 'clear'): void {
    const grid = this.data?.cell(key);
    if (!grid) return;
    const cell = grid.repeats[this.grid.repeatOf(key)] ?? presentRepeats(grid)[0];
    if (!cell) return;
    if (this.detail.shownKey === key) {
      const reason = this.detail.rateKey(score);
      if (reason) this.host.announce(l10n.t('Cannot rate: {0}', reason));
      return;
    }
    const answerKey = cell.answerKey;
    if (answerKey === undefined) {
      this.host.announce(l10n.t('Cannot rate: {0}', cellUnratableReason(cell)));
      return;
    }
    const current = this.host.shownRating(answerKey).rating;
    if (score === 'clear') {
      if (current) this.host.clearRating(answerKey);
    } else if (current?.score !== score) {
      this.host.rate(answerKey, withScore(current, score));
    }
  }

  private postCopy(cellId: string): void {
    if (this.data) this.host.post({ type: 'copyCell', sweepId: this.data.sweepId, cellId });
  }

  private onDetailKeyDown(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey || isTextEntry(event.target)) return;
    const score = ratingKey(event.key);
    if (score !== undefined) {
      const reason = this.detail.rateKey(score);
      if (reason) this.host.announce(l10n.t('Cannot rate: {0}', reason));
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    switch (event.key) {
      case 'Escape':
        this.closeDetail();
        break;
      case 'c':
        this.detail.copy();
        break;
      case 'r':
        this.detail.toggleRaw();
        break;
      case '[':
      case ']':
        this.stepSelected(event.key === ']' ? 1 : -1);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  // Options and actions

  private setGrouping(grouping: GridGrouping): void {
    if (!this.data || grouping === this.ui.grouping) return;
    this.ui.grouping = grouping;
    this.layout = buildLayout(this.data, grouping);
    this.grid.setLayout(this.layout);
    this.renderChrome();
    this.host.saveSoon();
  }

  private setFilter(filter: 'failedOnly' | 'differingOnly'): void {
    this.ui[filter] = !this.ui[filter];
    if (this.data) {
      this.grid.setRows(this.filteredRows(), this.emptyText());
      this.grid.render();
    }
    this.renderChrome();
    this.host.saveSoon();
    this.host.announce(filterAnnouncement(filter, this.ui[filter], this.gridRows.length));
  }

  private onAction(action: string): void {
    const sweepId = this.data?.sweepId;
    switch (action) {
      case 'cancelSweep':
      case 'rerunSweep':
      case 'exportSweep':
        if (sweepId !== undefined) this.host.post({ type: action, sweepId });
        break;
      case 'groupByModel':
        this.setGrouping('model');
        break;
      case 'groupByVariant':
        this.setGrouping('variant');
        break;
      case 'failedOnly':
      case 'differingOnly':
        this.setFilter(action);
        break;
    }
  }

  private button(action: string, label: string, icon: string, title: string, secondary: boolean): HTMLElement {
    const button = custom('vscode-button', { className: `action action-${action}`, attrs: { icon, title, 'data-action': action, secondary: secondary ? '' : undefined }, text: label });
    button.addEventListener('click', () => {
      if (!button.hasAttribute('disabled')) this.onAction(action);
    });
    return button;
  }

  /** A button that stays pressed (aria-pressed), for grouping and filters. */
  private toggle(action: string, label: string, icon: string, title: string): HTMLElement {
    const button = this.button(action, label, icon, title, true);
    button.classList.add('toggle');
    button.setAttribute('aria-pressed', 'false');
    return button;
  }
}

/** "Failed only on: 3 cases shown", whole sentences for each filter, state and count. */
function filterAnnouncement(filter: 'failedOnly' | 'differingOnly', on: boolean, shown: number): string {
  const one = shown === 1;
  if (filter === 'failedOnly') {
    if (on) return one ? l10n.t('Failed only on: 1 case shown') : l10n.t('Failed only on: {0} cases shown', shown);
    return one ? l10n.t('Failed only off: 1 case shown') : l10n.t('Failed only off: {0} cases shown', shown);
  }
  if (on) return one ? l10n.t('Differing only on: 1 case shown') : l10n.t('Differing only on: {0} cases shown', shown);
  return one ? l10n.t('Differing only off: 1 case shown') : l10n.t('Differing only off: {0} cases shown', shown);
}

function sameShape(a: SweepData, b: SweepData): boolean {
  const same = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.family === b.family && same(a.variants, b.variants) && same(a.models, b.models) && a.cases.length === b.cases.length && a.params.length === b.params.length && a.repeats === b.repeats;
}

function sameRows(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
  el.setAttribute('aria-disabled', String(disabled));
}

function setPressed(el: HTMLElement, pressed: boolean): void {
  el.setAttribute('aria-pressed', String(pressed));
}
