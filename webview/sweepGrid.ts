/**
 * The results grid: rows are test cases, columns are variant × model × parameter
 * point. Virtualised: only the rows and columns in view (plus the focused cell)
 * exist in the DOM, at fixed sizes, placed with transforms inside sized row
 * groups. ARIA grid semantics survive that: aria-rowcount/colcount on the grid,
 * aria-rowindex/colindex on what is drawn, and a roving tabindex on the cells.
 */
import * as l10n from '@vscode/l10n';
import { gridCellKey } from '../src/core/protocol';
import type { SweepCellView } from '../src/core/protocol';
import { codicon, h } from './dom';
import { basePromptSuffix, cellFailureReason, cellStatusIcons, cellStatusLabel, consistencyText, formatDuration, formatRate, isCellActive, paramsLabel, runCount, scoreText, unknownRate, variantLabel, variantName } from './format';
import { cellKeyAttribute, moveInGrid, previewText, revealOffset, visibleSpan, type GridLayout, type GridPosition, type Span } from './gridModel';
import type { ShownRating } from './ratingStore';
import { presentRepeats, type GridCellData, type SweepData } from './sweepData';

/** Width of the sticky case column (px), handed to panel.css as `--grid-row-head-w` like the other sizes. */
const rowHeadWidth = 200;
/** Columns never get narrower than this (wider with repeats, for their line); with few columns they share the width. */
const minColumnWidth = 260;
const minColumnWidthWithRepeats = 290;
const groupRowHeight = 28;
const columnRowHeight = 30;
const headHeight = groupRowHeight + columnRowHeight;
/** A case row: status line and three lines of preview (plus the repeats line with repeats). */
const rowHeight = 98;
const rowHeightWithRepeats = 118;
/** The summary row: counts, times, speed and score. */
const footHeight = 62;
/** Header rows (group, column) before the first case row, for aria-rowindex. */
const headRows = 2;
const rowOverscan = 3;
const columnOverscan = 1;

export interface SweepGridHost {
  /** The roving focus moved to a cell. */
  activeChanged(key: string): void;
  /** A cell was chosen: a click, or Enter / Space on the focused cell. */
  open(key: string, byKeyboard: boolean): void;
  copy(key: string): void;
  /** Escape was pressed on a cell; true when it closed something. */
  escape(): boolean;
  /** The repeat shown in a cell changed. */
  repeatChanged(key: string, repeat: number): void;
  scrolled(top: number, left: number): void;
  /** A score key (1–5, or 'clear' for 0) on a focused cell: rate the repeat it shows. */
  rate(key: string, score: number | 'clear'): void;
  /** The rating of a stored answer, from the panel's one rating map. */
  shownRating(answerKey: string): ShownRating;
}

interface DrawnCell {
  el: HTMLElement;
  column: number;
  key: string;
  /** What was drawn, to skip unchanged cells: the grid cell's version (bumped by consistency too) and the repeat. */
  stamp: string;
}

interface DrawnRow {
  el: HTMLElement;
  caseIndex: number;
  cells: Map<number, DrawnCell>;
}

export class SweepGrid {
  readonly el: HTMLElement;
  private readonly head: HTMLElement;
  private readonly groupRow: HTMLElement;
  private readonly columnRow: HTMLElement;
  private readonly body: HTMLElement;
  private readonly foot: HTMLElement;
  private readonly footRow: HTMLElement;
  private readonly emptyEl: HTMLElement;
  private readonly emptyCell: HTMLElement;

  private data: SweepData | undefined;
  private layout: GridLayout | undefined;
  private rows: number[] = [];
  private readonly rowPos = new Map<number, number>();
  private activeKey: string | undefined;
  /** Where the focus was, to land nearby when its row is filtered out. */
  private lastActivePos: GridPosition = { row: 0, column: 0 };
  private selectedKey: string | undefined;
  private readonly shownRepeat = new Map<string, number>();
  private emptyText = '';

  private rowHeight = rowHeight;
  private columnWidth = minColumnWidth;
  private readonly drawnRows = new Map<number, DrawnRow>();
  private readonly cellOfElement = new WeakMap<Element, DrawnCell>();
  private headStamp = '';
  /** Group headers drawn, with the column they start at, to keep their names in view. */
  private groupLabels: { label: HTMLElement; start: number; span: number }[] = [];
  private footStamp = '';
  private frame: number | undefined;

  constructor(private readonly host: SweepGridHost, label: string) {
    this.groupRow = h('div', { className: 'grid-row grid-group-row', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.columnRow = h('div', { className: 'grid-row grid-column-row', attrs: { role: 'row', 'aria-rowindex': '2' } });
    this.head = h('div', { className: 'grid-head', attrs: { role: 'rowgroup' } }, [this.groupRow, this.columnRow]);
    this.body = h('div', { className: 'grid-body', attrs: { role: 'rowgroup' } });
    this.footRow = h('div', { className: 'grid-row grid-foot-row', attrs: { role: 'row' } });
    this.foot = h('div', { className: 'grid-foot', attrs: { role: 'rowgroup' } }, [this.footRow]);
    // A row of its own, so the grid holds only rows even when a filter leaves none.
    this.emptyCell = h('div', { className: 'grid-empty-cell', attrs: { role: 'gridcell', 'aria-colindex': '1' } });
    this.emptyEl = h('div', { className: 'grid-empty', attrs: { role: 'row', 'aria-rowindex': String(headRows + 1), hidden: '' } }, [this.emptyCell]);
    this.el = h('div', { className: 'sweep-grid', attrs: { role: 'grid', 'aria-label': label, 'aria-readonly': 'true', 'aria-keyshortcuts': 'Enter C [ ] Escape 1 2 3 4 5 0' } }, [this.head, this.body, this.emptyEl, this.foot]);
    this.el.style.setProperty('--grid-row-head-w', `${rowHeadWidth}px`);
    this.el.style.setProperty('--grid-group-row-h', `${groupRowHeight}px`);
    this.el.style.setProperty('--grid-column-row-h', `${columnRowHeight}px`);
    this.el.style.setProperty('--grid-col-w', `${this.columnWidth}px`);
    this.el.style.setProperty('--grid-foot-h', `${footHeight}px`);

    this.el.addEventListener('scroll', () => {
      this.schedule();
      this.host.scrolled(this.el.scrollTop, this.el.scrollLeft);
    }, { passive: true });
    this.el.addEventListener('keydown', (event) => this.onKeyDown(event));
    // Focus may arrive by Tab, a click or a screen reader: the focused cell becomes the active one.
    this.el.addEventListener('focusin', (event) => this.adopt(event.target));
    this.el.addEventListener('click', (event) => this.onClick(event));
    new ResizeObserver(() => this.schedule()).observe(this.el);
  }

  /** No sweep any more: nothing is drawn. */
  clear(): void {
    this.data = undefined;
    this.layout = undefined;
    this.activeKey = undefined;
    this.selectedKey = undefined;
    this.rows = [];
    this.rowPos.clear();
    this.shownRepeat.clear();
    this.clearDrawn();
    this.groupRow.replaceChildren();
    this.columnRow.replaceChildren();
    this.footRow.replaceChildren();
  }

  /**
   * A new sweep (or the same one from a fresh `state`): everything drawn is
   * dropped. The focus goes to `active` when the sweep has that cell.
   */
  setSweep(data: SweepData, layout: GridLayout, rows: number[], active: string | undefined): void {
    if (this.data?.sweepId !== data.sweepId) this.shownRepeat.clear();
    this.data = data;
    this.activeKey = active !== undefined && data.cell(active) ? active : undefined;
    this.rowHeight = data.repeats > 1 ? rowHeightWithRepeats : rowHeight;
    this.el.style.setProperty('--grid-row-h', `${this.rowHeight}px`);
    this.clearDrawn();
    this.layout = layout;
    this.setRows(rows);
  }

  /** The columns were regrouped: cells move, so they are drawn again. */
  setLayout(layout: GridLayout): void {
    const hadFocus = this.hasFocus();
    this.layout = layout;
    this.clearDrawn();
    this.render();
    if (hadFocus) this.focusActive();
  }

  /** The filtered rows (case indices, in order). */
  setRows(rows: number[], emptyText = ''): void {
    this.rows = rows;
    this.emptyText = emptyText;
    this.rowPos.clear();
    rows.forEach((caseIndex, pos) => this.rowPos.set(caseIndex, pos));
    const pos = this.activeKey === undefined ? undefined : this.positionOf(this.activeKey);
    if (!pos) {
      // The focused row was filtered out (or nothing had focus): land on the nearest row.
      const next = this.keyAt({ row: Math.min(this.lastActivePos.row, rows.length - 1), column: this.lastActivePos.column });
      this.activeKey = next;
      if (next !== undefined) this.host.activeChanged(next);
    }
    this.headStamp = '';
    this.footStamp = '';
  }

  setSelected(key: string | undefined): void {
    this.selectedKey = key;
  }

  /** The repeat a cell shows (0-based). */
  repeatOf(key: string): number {
    return this.shownRepeat.get(key) ?? 0;
  }

  setRepeat(key: string, repeat: number): void {
    const grid = this.data?.cell(key);
    if (!grid) return;
    const count = Math.max(1, grid.repeats.length);
    this.shownRepeat.set(key, ((repeat % count) + count) % count);
  }

  /** Draws on the next animation frame (many calls, one draw). */
  schedule(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  /** Scrolls to an offset (sizes are set first, so the offset is not clamped to a stale height). Ignored while hidden. */
  scrollTo(top: number, left: number): void {
    this.render();
    this.el.scrollTop = top;
    this.el.scrollLeft = left;
    this.render();
  }

  /** Whether the grid is laid out (its view is showing). */
  get isShown(): boolean {
    return this.el.clientHeight > 0;
  }

  /** Moves the focus to the active cell (drawing it if needed). */
  focusActive(): void {
    if (this.activeKey === undefined) return;
    this.reveal(this.activeKey);
    this.render();
    this.cellElement(this.activeKey)?.focus({ preventScroll: true });
  }

  hasFocus(): boolean {
    return this.el.contains(document.activeElement);
  }

  /** The drawn element of a grid cell, if it is drawn. */
  cellElement(key: string): HTMLElement | undefined {
    const pos = this.positionOf(key);
    if (!pos) return undefined;
    return this.drawnRows.get(this.rows[pos.row])?.cells.get(pos.column)?.el;
  }

  /** Draws what is in view now. Cheap when nothing changed: unchanged cells are skipped by their stamp. */
  render(): void {
    if (this.frame !== undefined) {
      cancelAnimationFrame(this.frame);
      this.frame = undefined;
    }
    const data = this.data;
    const layout = this.layout;
    const width = this.el.clientWidth;
    const height = this.el.clientHeight;
    // Hidden (another view is showing): draw when shown again.
    if (!data || !layout || width === 0 || height === 0) return;
    const hadFocus = this.hasFocus();

    const columnCount = layout.columns.length;
    const available = Math.max(0, width - rowHeadWidth);
    const columnWidth = Math.max(data.repeats > 1 ? minColumnWidthWithRepeats : minColumnWidth, Math.floor(available / Math.max(1, columnCount)));
    if (columnWidth !== this.columnWidth) {
      this.columnWidth = columnWidth;
      this.el.style.setProperty('--grid-col-w', `${columnWidth}px`);
      this.clearDrawn();
    }
    const totalWidth = rowHeadWidth + columnCount * columnWidth;
    this.el.style.setProperty('--grid-total-w', `${totalWidth}px`);
    this.body.style.height = `${this.rows.length * this.rowHeight}px`;

    const empty = this.rows.length === 0 && this.emptyText !== '';
    this.el.setAttribute('aria-rowcount', String(headRows + this.bodyRows() + 1));
    this.el.setAttribute('aria-colcount', String(columnCount + 1));
    this.emptyEl.hidden = !empty;
    this.emptyCell.setAttribute('aria-colspan', String(columnCount + 1));
    if (this.emptyCell.textContent !== this.emptyText) this.emptyCell.textContent = this.emptyText;

    const rowSpan = visibleSpan(this.el.scrollTop, height - headHeight - footHeight, this.rowHeight, this.rows.length, rowOverscan);
    const columnSpan = visibleSpan(this.el.scrollLeft, available, columnWidth, columnCount, columnOverscan);
    const active = this.activeKey === undefined ? undefined : this.positionOf(this.activeKey);
    if (active) this.lastActivePos = active;

    this.drawRows(data, layout, rowSpan, columnSpan, active);
    this.drawHead(layout, columnSpan, active?.column);
    this.placeGroupLabels();
    this.drawFoot(data, layout, columnSpan, active?.column);
    if (hadFocus && !this.hasFocus()) this.cellElement(this.activeKey ?? '')?.focus({ preventScroll: true });
  }

  // Drawing

  private drawRows(data: SweepData, layout: GridLayout, rowSpan: Span, columnSpan: Span, active: GridPosition | undefined): void {
    const wanted = new Set<number>();
    for (let pos = rowSpan.start; pos < rowSpan.end; pos++) wanted.add(pos);
    // The focused cell stays drawn even when scrolled away, so focus is never lost.
    if (active) wanted.add(active.row);

    for (const [caseIndex, row] of this.drawnRows) {
      const pos = this.rowPos.get(caseIndex);
      if (pos === undefined || !wanted.has(pos)) {
        row.el.remove();
        this.drawnRows.delete(caseIndex);
      }
    }
    for (const pos of [...wanted].sort((a, b) => a - b)) {
      const caseIndex = this.rows[pos];
      let row = this.drawnRows.get(caseIndex);
      if (!row) {
        row = this.createRow(data, caseIndex);
        this.insertSorted(this.body, row.el, caseIndex, [...this.drawnRows.values()].map((r) => [r.caseIndex, r.el] as const));
        this.drawnRows.set(caseIndex, row);
      }
      row.el.style.transform = `translateY(${pos * this.rowHeight}px)`;
      row.el.setAttribute('aria-rowindex', String(headRows + pos + 1));

      const columns = new Set<number>();
      for (let c = columnSpan.start; c < columnSpan.end; c++) columns.add(c);
      if (active && active.row === pos) columns.add(active.column);
      for (const [column, cell] of row.cells) {
        if (!columns.has(column)) {
          cell.el.remove();
          row.cells.delete(column);
        }
      }
      for (const column of [...columns].sort((a, b) => a - b)) {
        const col = layout.columns[column];
        const key = gridCellKey({ variant: col.variant, model: col.model, caseIndex, paramsIndex: col.paramsIndex });
        let cell = row.cells.get(column);
        if (!cell) {
          cell = this.createCell(key, column, caseIndex);
          this.insertSorted(row.el, cell.el, column, [...row.cells.values()].map((c) => [c.column, c.el] as const));
          row.cells.set(column, cell);
        }
        this.drawCell(data, cell);
      }
    }
  }

  /** Inserts `el` before the first sibling with a larger order, so DOM order follows the grid (existing nodes never move: moving would drop focus). */
  private insertSorted(parent: HTMLElement, el: HTMLElement, order: number, siblings: (readonly [number, HTMLElement])[]): void {
    let before: HTMLElement | null = null;
    let best = Infinity;
    for (const [o, sibling] of siblings) {
      if (o > order && o < best) {
        best = o;
        before = sibling;
      }
    }
    parent.insertBefore(el, before);
  }

  private createRow(data: SweepData, caseIndex: number): DrawnRow {
    const sweepCase = data.cases[caseIndex];
    const label = sweepCase?.label ?? l10n.t('case {0}', caseIndex + 1);
    const head = h('div', { className: 'row-head', attrs: { role: 'rowheader', 'aria-colindex': '1', title: label } }, [h('span', { className: 'row-head-label', text: label })]);
    const el = h('div', { className: 'grid-row grid-case-row', attrs: { role: 'row', 'data-case': String(caseIndex) } }, [head]);
    return { el, caseIndex, cells: new Map() };
  }

  private createCell(key: string, column: number, caseIndex: number): DrawnCell {
    const grid = this.data?.cell(key);
    const el = h('div', {
      className: 'grid-cell',
      attrs: {
        role: 'gridcell',
        'aria-colindex': String(column + 2),
        tabindex: '-1',
        'data-cell-key': cellKeyAttribute(key),
        'data-variant': grid?.variant,
        'data-model': grid?.model,
        'data-case': String(caseIndex),
        'data-params': grid ? String(grid.paramsIndex) : undefined,
      },
    });
    el.style.transform = `translateX(${rowHeadWidth + column * this.columnWidth}px)`;
    const cell = { el, column, key, stamp: '' };
    this.cellOfElement.set(el, cell);
    return cell;
  }

  private drawCell(data: SweepData, cell: DrawnCell): void {
    const el = cell.el;
    const isActive = cell.key === this.activeKey;
    const isSelected = cell.key === this.selectedKey;
    el.tabIndex = isActive ? 0 : -1;
    if (isSelected) el.setAttribute('aria-selected', 'true');
    else el.removeAttribute('aria-selected');

    const grid = data.cell(cell.key);
    const repeat = this.repeatOf(cell.key);
    const shown = grid ? (grid.repeats[repeat] ?? presentRepeats(grid)[0]) : undefined;
    const rating = shown?.answerKey === undefined ? undefined : this.host.shownRating(shown.answerKey);
    const stamp = grid ? `${grid.version}:${repeat}:${rating?.rating ? `${rating.rating.score}:${rating.rating.comment ? 'c' : ''}:${rating.rating.tags?.join(',') ?? ''}:${rating.saving}` : ''}` : 'missing';
    if (stamp === cell.stamp) return;
    cell.stamp = stamp;
    if (!grid) {
      el.dataset.status = 'missing';
      el.replaceChildren(h('div', { className: 'cell-placeholder', text: l10n.t('Not part of this sweep') }));
      return;
    }
    el.dataset.status = grid.status;
    if (rating?.rating) el.dataset.rating = String(rating.rating.score);
    else delete el.dataset.rating;
    el.replaceChildren(...cellContent(data, grid, shown, repeat, rating));
  }

  private drawHead(layout: GridLayout, span: Span, activeColumn: number | undefined): void {
    const stamp = `${layout.grouping}|${span.start}-${span.end}|${activeColumn}|${this.columnWidth}|${layout.columns.length}`;
    if (stamp === this.headStamp) return;
    this.headStamp = stamp;
    const inView = (c: number): boolean => (c >= span.start && c < span.end) || c === activeColumn;
    // `left`, not a transform: the sticky group label measures against the layout position.
    const place = (el: HTMLElement, start: number, span = 1): HTMLElement => {
      el.style.left = `${rowHeadWidth + start * this.columnWidth}px`;
      el.style.width = `${span * this.columnWidth}px`;
      return el;
    };
    const byModel = layout.grouping === 'model';
    this.groupLabels = [];
    const groups = layout.groups.filter((g) => g.start + g.span > span.start && g.start < span.end).map((g) => {
      const label = h('span', { className: 'group-label' }, [
        codicon(byModel ? 'hubot' : 'versions'),
        h('span', { className: byModel || g.value !== '' ? '' : 'variant-base', text: byModel ? g.value : variantLabel(g.value) }),
        byModel || g.value !== '' ? null : h('span', { className: 'sr-only', text: basePromptSuffix() }),
      ]);
      this.groupLabels.push({ label, start: g.start, span: g.span });
      const attrs = { role: 'columnheader', 'aria-colindex': String(g.start + 2), 'aria-colspan': String(g.span), title: byModel ? g.value : variantName(g.value) };
      return place(h('div', { className: 'grid-group-head', attrs }, [label]), g.start, g.span);
    });
    this.groupRow.replaceChildren(h('div', { className: 'grid-corner', attrs: { role: 'columnheader', 'aria-colindex': '1' } }, [byModel ? l10n.t('Model') : l10n.t('Variant')]), ...groups);

    const params = this.data?.params ?? [];
    const headers: HTMLElement[] = [];
    layout.columns.forEach((col, c) => {
      if (!inView(c)) return;
      const inner = byModel ? variantLabel(col.variant) : col.model;
      const point = params.length > 1 ? paramsLabel(params[col.paramsIndex]) || l10n.t('defaults') : '';
      const title = point ? l10n.t('{0} on {1} · {2}', variantName(col.variant), col.model, point) : l10n.t('{0} on {1}', variantName(col.variant), col.model);
      headers.push(
        place(
          h('div', { className: 'grid-column-head', attrs: { role: 'columnheader', 'aria-colindex': String(c + 2), title, 'data-column': cellKeyAttribute(col.key) } }, [
            h('span', { className: byModel && col.variant === '' ? 'column-label variant-base' : 'column-label', text: inner }),
            byModel && col.variant === '' ? h('span', { className: 'sr-only', text: basePromptSuffix() }) : null,
            point ? h('span', { className: 'column-params', text: point }) : null,
          ]),
          c,
        ),
      );
    });
    this.columnRow.replaceChildren(h('div', { className: 'grid-corner', attrs: { role: 'columnheader', 'aria-colindex': '1' } }, [l10n.t('Case')]), ...headers);
  }

  /** Keeps each group's name in view while its columns scroll under the case column (sticky would not work inside the sticky header). */
  private placeGroupLabels(): void {
    const scrolled = this.el.scrollLeft;
    for (const { label, start, span } of this.groupLabels) {
      const behind = scrolled - start * this.columnWidth;
      // Only read the label's width when it has to move (reading forces a layout).
      const shift = behind <= 0 ? 0 : Math.max(0, Math.min(behind, span * this.columnWidth - label.offsetWidth - 20));
      const transform = shift > 0 ? `translateX(${shift}px)` : '';
      if (label.style.transform !== transform) label.style.transform = transform;
    }
  }

  private drawFoot(data: SweepData, layout: GridLayout, span: Span, activeColumn: number | undefined): void {
    this.footRow.setAttribute('aria-rowindex', String(headRows + this.bodyRows() + 1));
    const stamp = `${layout.grouping}|${span.start}-${span.end}|${activeColumn}|${this.columnWidth}|${data.summariesVersion}`;
    if (stamp === this.footStamp) return;
    this.footStamp = stamp;
    const cells: HTMLElement[] = [];
    layout.columns.forEach((col, c) => {
      if (!((c >= span.start && c < span.end) || c === activeColumn)) return;
      const summary = data.columnSummary(col.variant, col.model, col.paramsIndex);
      const lines: HTMLElement[] = [];
      if (!summary) {
        lines.push(h('div', { className: 'summary-line muted', text: l10n.t('No summary yet') }));
      } else {
        lines.push(h('div', { className: 'summary-line' }, [
          h('span', { className: 'summary-count', text: l10n.t('{0} of {1} done', summary.done, summary.cells) }),
          summary.failed > 0 ? h('span', { className: 'summary-failed' }, [codicon('error'), l10n.t('{0} failed', summary.failed)]) : null,
        ]));
        const total = formatDuration(summary.meanTotalMs);
        const ttft = formatDuration(summary.meanTtftMs);
        const times = [total && l10n.t('total {0}', total), ttft && l10n.t('TTFT {0}', ttft)].filter((f): f is string => typeof f === 'string');
        lines.push(h('div', { className: 'summary-line summary-figures', text: times.length > 0 ? times.join(' · ') : l10n.t('no timings yet'), attrs: { title: l10n.t('Means over finished cells: total time and time to first token') } }));
        const rate = formatRate(summary.meanTokensPerSecond);
        const score = scoreText(summary.meanScore, summary.ratings);
        lines.push(h('div', { className: 'summary-line summary-figures' }, [
          h('span', { text: rate ?? unknownRate(), attrs: { title: l10n.t('Mean tokens per second') } }),
          // The sr-only word is read before the score: "score 4.2 / 5 (7 ratings)".
          score ? h('span', { className: 'summary-score', attrs: { title: l10n.t('Mean rating (1–5) and number of ratings') } }, [' · ', codicon('star-full'), h('span', { className: 'sr-only', text: `${l10n.t('score')} ` }), score]) : null,
        ]));
      }
      const cell = h('div', { className: 'grid-summary-cell', attrs: { role: 'gridcell', 'aria-colindex': String(c + 2), 'data-summary-column': cellKeyAttribute(col.key) } }, lines);
      cell.style.transform = `translateX(${rowHeadWidth + c * this.columnWidth}px)`;
      cells.push(cell);
    });
    this.footRow.replaceChildren(h('div', { className: 'row-head summary-head', attrs: { role: 'rowheader', 'aria-colindex': '1' } }, [h('span', { className: 'row-head-label', text: l10n.t('Summary (means)') })]), ...cells);
  }

  private clearDrawn(): void {
    for (const row of this.drawnRows.values()) row.el.remove();
    this.drawnRows.clear();
    this.headStamp = '';
    this.footStamp = '';
  }

  /** Rows between the header and the summary: the cases, or the one "nothing to show" row. */
  private bodyRows(): number {
    return this.rows.length > 0 ? this.rows.length : this.emptyText !== '' ? 1 : 0;
  }

  // Positions

  private positionOf(key: string): GridPosition | undefined {
    const grid = this.data?.cell(key);
    const layout = this.layout;
    if (!grid || !layout) return undefined;
    const row = this.rowPos.get(grid.caseIndex);
    const column = layout.indexOf.get(`${grid.variant}\u0000${grid.model}\u0000${grid.paramsIndex}`);
    return row === undefined || column === undefined ? undefined : { row, column };
  }

  private keyAt(pos: GridPosition): string | undefined {
    const layout = this.layout;
    const caseIndex = this.rows[pos.row];
    const col = layout?.columns[Math.min(pos.column, layout.columns.length - 1)];
    if (caseIndex === undefined || !col) return undefined;
    return gridCellKey({ variant: col.variant, model: col.model, caseIndex, paramsIndex: col.paramsIndex });
  }

  /** Scrolls the focused cell into view (e.g. after the detail narrowed the grid) and draws. */
  revealActive(): void {
    if (this.activeKey === undefined) return;
    this.reveal(this.activeKey);
    this.render();
  }

  /** Scrolls so the cell is fully in view (moving as little as possible). */
  private reveal(key: string): void {
    const pos = this.positionOf(key);
    if (!pos) return;
    const bodyHeight = Math.max(this.rowHeight, this.el.clientHeight - headHeight - footHeight);
    const bodyWidth = Math.max(this.columnWidth, this.el.clientWidth - rowHeadWidth);
    this.el.scrollTop = revealOffset(this.el.scrollTop, bodyHeight, pos.row * this.rowHeight, this.rowHeight);
    this.el.scrollLeft = revealOffset(this.el.scrollLeft, bodyWidth, pos.column * this.columnWidth, this.columnWidth);
  }

  // Input

  private moveTo(key: string | undefined): void {
    if (key === undefined || key === this.activeKey) return;
    this.activeKey = key;
    this.host.activeChanged(key);
    this.focusActive();
  }

  /** Makes the cell holding `target` the active cell (no focus change, no scrolling). */
  private adopt(target: EventTarget | null): void {
    const cellEl = target instanceof Element ? target.closest<HTMLElement>('.grid-cell') : null;
    const key = cellEl ? this.cellOfElement.get(cellEl)?.key : undefined;
    if (key === undefined || key === this.activeKey) return;
    const previous = this.activeKey === undefined ? undefined : this.cellElement(this.activeKey);
    if (previous) previous.tabIndex = -1;
    cellEl!.tabIndex = 0;
    this.activeKey = key;
    this.host.activeChanged(key);
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.altKey || event.metaKey) return;
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>('.grid-cell') : null;
    if (!target) return;
    this.adopt(target);
    if (this.activeKey === undefined) return;
    const key = this.activeKey;
    const pos = this.positionOf(key);
    if (!pos) return;
    switch (event.key) {
      case 'Enter':
      case ' ':
        this.host.open(key, true);
        break;
      case 'Escape':
        // Left alone when there is nothing to close, so VS Code still sees it.
        if (!this.host.escape()) return;
        break;
      case 'c':
        if (event.ctrlKey) return;
        this.host.copy(key);
        break;
      case '[':
      case ']':
        this.step(key, event.key === ']' ? 1 : -1);
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
        if (event.ctrlKey) return;
        this.host.rate(key, event.key === '0' ? 'clear' : Number(event.key));
        break;
      default: {
        const bodyHeight = this.el.clientHeight - headHeight - footHeight;
        const next = moveInGrid(pos, event.key, { rows: this.rows.length, columns: this.layout?.columns.length ?? 0, pageRows: Math.max(1, Math.floor(bodyHeight / this.rowHeight) - 1) }, event.ctrlKey);
        if (!next) return;
        this.moveTo(this.keyAt(next));
      }
    }
    event.preventDefault();
  }

  private onClick(event: MouseEvent): void {
    const target = event.target instanceof Element ? event.target : null;
    const cellEl = target?.closest<HTMLElement>('.grid-cell');
    if (!cellEl) return;
    const key = this.cellOfElement.get(cellEl)?.key;
    if (key === undefined) return;
    if (key !== this.activeKey) {
      this.activeKey = key;
      this.host.activeChanged(key);
    }
    const step = target?.closest<HTMLElement>('[data-step]')?.dataset.step;
    if (step) {
      this.step(key, Number(step));
      return;
    }
    this.host.open(key, false);
  }

  private step(key: string, delta: number): void {
    const grid = this.data?.cell(key);
    if (!grid || grid.repeats.length < 2) return;
    this.setRepeat(key, this.repeatOf(key) + delta);
    this.host.repeatChanged(key, this.repeatOf(key));
    this.render();
  }
}

/** What a grid cell shows: status, its rating and short figures, a preview of the answer, and the repeats line. */
function cellContent(data: SweepData, grid: GridCellData, shown: SweepCellView | undefined, repeat: number, rating: ShownRating | undefined): HTMLElement[] {
  const status = shown?.status ?? grid.status;
  const spinning = status === 'loading' || status === 'running';
  const figures = [formatDuration(shown?.metrics?.totalMs), formatRate(shown?.metrics?.tokensPerSecond)].filter((f): f is string => f !== undefined);
  const top = h('div', { className: 'cell-top' }, [
    h('span', { className: 'cell-status', attrs: { 'data-status': status } }, [
      codicon(cellStatusIcons[status], spinning ? 'cell-status-icon codicon-modifier-spin' : 'cell-status-icon'),
      h('span', { text: cellStatusLabel(status) }),
    ]),
    rating?.rating ? cellRating(rating) : null,
    figures.length > 0 ? h('span', { className: 'cell-figures', text: figures.join(' · ') }) : null,
  ]);

  const text = shown?.text ?? '';
  const preview = previewText(text);
  let body: HTMLElement;
  if (status === 'failed') {
    body = h('div', { className: 'cell-preview' }, [h('span', { className: 'cell-reason', text: cellFailureReason(shown?.error) }), preview ? ` — ${preview}` : null]);
  } else if (preview) {
    body = h('div', { className: 'cell-preview', text: preview });
  } else {
    body = h('div', { className: 'cell-preview cell-placeholder', text: placeholderFor(status) });
  }

  const parts = [top, body];
  if (data.repeats > 1) {
    const count = grid.repeats.length;
    parts.push(
      h('div', { className: 'cell-repeats' }, [
        h('span', { className: 'repeat-step', attrs: { 'data-step': '-1', 'aria-hidden': 'true', title: l10n.t('Previous run ([)') } }, [codicon('chevron-left')]),
        // Read before "2/3" by screen readers: "run 2/3".
        h('span', { className: 'sr-only', text: `${l10n.t('run')} ` }),
        h('span', { className: 'repeat-index', text: `${repeat + 1}/${count}`, attrs: { title: l10n.t('Run {0} of {1}', repeat + 1, count) } }),
        h('span', { className: 'repeat-step', attrs: { 'data-step': '1', 'aria-hidden': 'true', title: l10n.t('Next run (])') } }, [codicon('chevron-right')]),
        h('span', { className: 'cell-consistency', text: isCellActive(grid.status) && !data.consistency(grid.key) ? runCount(count) : consistencyText(data.consistency(grid.key), count) }),
      ]),
    );
  }
  return parts;
}

/** "★4" with a comment icon when there is a comment; the words for screen readers. */
function cellRating(shown: ShownRating): HTMLElement | null {
  const rating = shown.rating;
  if (!rating) return null;
  const parts = [l10n.t('Rated {0} of 5', rating.score)];
  if (rating.comment) parts.push(l10n.t('comment: {0}', rating.comment));
  if (rating.tags?.length) parts.push(l10n.t('tags: {0}', rating.tags.join(', ')));
  const title = `${parts.join(' · ')}${shown.saving ? ` ${l10n.t('(saving…)')}` : ''}`;
  return h('span', { className: `cell-rating${shown.saving ? ' is-saving' : ''}`, attrs: { title } }, [
    codicon('star-full'),
    h('span', { text: String(rating.score), attrs: { 'aria-hidden': 'true' } }),
    rating.comment ? codicon('comment') : null,
    h('span', { className: 'sr-only', text: rating.comment ? l10n.t('rated {0} of 5, with a comment', rating.score) : l10n.t('rated {0} of 5', rating.score) }),
  ]);
}

function placeholderFor(status: SweepCellView['status']): string {
  switch (status) {
    case 'queued':
      return l10n.t('Waiting for a request slot…');
    case 'loading':
      return l10n.t('Waiting for the first token…');
    case 'running':
      return l10n.t('Thinking…');
    case 'cancelled':
      return l10n.t('Cancelled before any text arrived');
    default:
      return l10n.t('Empty answer');
  }
}
