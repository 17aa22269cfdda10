/**
 * The scores view: the verdict first (it says when the data cannot tell the
 * variants apart), the change of an accepted rewrite and any regressions, each
 * variant's mean on the 1–5 scale with its 95% interval, the variant × model
 * table, and from blind A/B verdicts the Bradley–Terry strengths and the
 * win-rate matrix. Every bar is labelled with its numbers, so the charts (SVG,
 * hidden from screen readers) never carry anything the text does not say.
 */
import * as l10n from '@vscode/l10n';
import type { ScoresView as ScoresData, StrengthView, VariantScoreView } from '../src/core/protocol';
import { codicon, custom, h, replaceChildren, svg } from './dom';
import { basePromptSuffix, variantLabel, variantName } from './format';
import type { WebviewRequest } from './hostConnection';
import {
  changeSummary, colourSlot, modelTable, rankLabel, regressionText, scoreFraction, scoreInterval, scoreLabel, scoreMax, scoreMin, shareHighText, strengthBound, strengthFraction, strengthLabel,
  strengthTicks, variantRows, winRateDescription, winRateText,
} from './scoresModel';

export interface ScoresViewHost {
  post(request: WebviewRequest): void;
}

/** SVG tracks are drawn in a 100-wide box stretched to the column; strokes keep their width (CSS). */
const trackWidth = 100;
const trackHeight = 24;

export class ScoresView {
  readonly el: HTMLElement;
  private readonly verdict: HTMLElement;
  private readonly basis: HTMLElement;
  private readonly blindButton: HTMLElement;
  private readonly suggestButton: HTMLElement;
  private readonly content: HTMLElement;
  private data: ScoresData | undefined;

  constructor(private readonly host: ScoresViewHost) {
    this.verdict = h('p', { className: 'verdict', attrs: { 'data-verdict': '' } });
    this.basis = h('p', { className: 'scores-basis' });
    this.blindButton = this.button('startBlind', l10n.t('Compare blind'), 'eye-closed', l10n.t('Judge pairs of answers without knowing which variant or model wrote them'), false);
    this.suggestButton = this.button('suggestRewrites', l10n.t('Suggest rewrites'), 'lightbulb-sparkle', suggestTitle(), true);
    this.content = h('div', { className: 'scores-content' });
    this.el = h('section', { className: 'scores-view', attrs: { 'data-view': 'scores', 'aria-label': l10n.t('Scores'), hidden: '' } }, [
      h('header', { className: 'scores-bar' }, [
        h('div', { className: 'scores-heading' }, [this.verdict, this.basis]),
        h('div', { className: 'scores-actions', attrs: { role: 'toolbar', 'aria-label': l10n.t('Scores actions') } }, [this.blindButton, this.suggestButton]),
      ]),
      h('div', { className: 'scores-scroll' }, [this.content]),
    ]);
  }

  get current(): ScoresData | undefined {
    return this.data;
  }

  /** While the optimizer runs, a second "Suggest rewrites" would only queue behind it. */
  setSuggesting(running: boolean): void {
    setDisabled(this.suggestButton, running);
    this.suggestButton.title = running ? l10n.t('The optimizer is already writing suggestions (see Suggestions)') : suggestTitle();
  }

  show(scores: ScoresData | undefined): void {
    this.data = scores;
    if (!scores) {
      this.verdict.textContent = '';
      this.basis.textContent = '';
      this.content.replaceChildren();
      return;
    }
    replaceChildren(this.verdict, [codicon('law', 'verdict-icon'), h('span', { text: scores.verdict })]);
    const rows = variantRows(scores);
    const rated = rows.reduce((sum, v) => sum + v.n, 0);
    this.basis.textContent = [scores.family, ratedOver(rated, rows.length), scores.pairs === 1 ? l10n.t('1 blind verdict') : l10n.t('{0} blind verdicts', scores.pairs)].join(' · ');

    const sections: (HTMLElement | null)[] = [];
    if (scores.change) sections.push(changeBlock(scores.change));
    if (scores.regressions && scores.regressions.length > 0) sections.push(regressionsBlock(scores.regressions, scores.change));
    if (rows.length === 0) {
      sections.push(h('p', { className: 'scores-empty' }, [codicon('star-empty'), l10n.t('No ratings yet. Rate answers with the keys 1–5 in the run view or the sweep grid, or compare answers blind.')]));
    } else {
      sections.push(meanChart(rows));
      sections.push(modelTableBlock(scores));
    }
    if (scores.strengths && scores.strengths.length > 0) sections.push(strengthChart(scores.strengths));
    if (scores.winRate && scores.winRate.players.length > 1) sections.push(winRateBlock(scores.winRate));
    replaceChildren(this.content, sections);
  }

  private button(action: 'startBlind' | 'suggestRewrites', label: string, icon: string, title: string, secondary: boolean): HTMLElement {
    const button = custom('vscode-button', { className: 'action', attrs: { icon, title, 'data-action': action, secondary: secondary ? '' : undefined }, text: label });
    button.addEventListener('click', () => {
      if (!button.hasAttribute('disabled')) this.host.post({ type: action });
    });
    return button;
  }
}

function suggestTitle(): string {
  return l10n.t('Let the optimizer model read the ratings and comments and propose rewritten prompts');
}

/** "18 rated answers over 3 variants". */
function ratedOver(rated: number, variants: number): string {
  if (rated === 1) return variants === 1 ? l10n.t('1 rated answer over 1 variant') : l10n.t('1 rated answer over {0} variants', variants);
  return variants === 1 ? l10n.t('{0} rated answers over 1 variant', rated) : l10n.t('{0} rated answers over {1} variants', rated, variants);
}

function section(title: string, note: string, body: (HTMLElement | null)[], className = ''): HTMLElement {
  return h('section', { className: `score-section ${className}`.trim() }, [
    h('div', { className: 'score-section-head' }, [h('h3', { text: title }), note ? h('span', { className: 'score-section-note', text: note }) : null]),
    ...body,
  ]);
}

function variantSpan(variant: string): HTMLElement {
  return h('span', { className: variant === '' ? 'variant-base' : '', text: variantLabel(variant), attrs: { title: variantName(variant) } });
}

function changeBlock(change: NonNullable<ScoresData['change']>): HTMLElement {
  const summary = changeSummary(change);
  const icon = summary.outcome === 'better' ? 'arrow-up' : summary.outcome === 'worse' ? 'arrow-down' : 'question';
  return h('div', { className: 'score-change', attrs: { 'data-score-change': '', 'data-outcome': summary.outcome, role: 'note' } }, [
    codicon(icon, 'score-change-icon'),
    h('div', {}, [h('div', { className: 'score-change-text', text: summary.text }), h('div', { className: 'score-change-detail', text: summary.detail })]),
  ]);
}

function regressionsBlock(regressions: NonNullable<ScoresData['regressions']>, change: ScoresData['change']): HTMLElement {
  const one = regressions.length === 1;
  const count = one ? l10n.t('1 regression') : l10n.t('{0} regressions', regressions.length);
  const title = change
    ? one
      ? l10n.t('1 regression ({0} was rated 4–5, {1} lower)', variantLabel(change.parent), variantLabel(change.child))
      : l10n.t('{0} regressions ({1} was rated 4–5, {2} lower)', regressions.length, variantLabel(change.parent), variantLabel(change.child))
    : count;
  return h('div', { className: 'score-regressions', attrs: { 'data-regressions': '', role: 'note' } }, [
    codicon('warning', 'score-regressions-icon'),
    h('div', {}, [
      h('div', { className: 'score-regressions-title', text: title }),
      h('ul', { className: 'score-regressions-list' }, regressions.map((r) => h('li', { text: regressionText(r) }))),
    ]),
  ]);
}

/** Each variant's mean on 1–5, a bar with its interval's whiskers, labelled "4.1 ± 0.3 (n = 18)" and its rank or ties. */
function meanChart(rows: VariantScoreView[]): HTMLElement {
  const list = h('div', { className: 'chart-rows', attrs: { role: 'list', 'aria-label': l10n.t('Mean score by variant') } }, rows.map((row, i) => {
    const rank = rankLabel(row);
    const description = rank
      ? l10n.t('{0}: mean {1}, {2}, {3}', variantName(row.variant), scoreLabel(row), rank, shareHighText(row.shareHigh))
      : l10n.t('{0}: mean {1}, {2}', variantName(row.variant), scoreLabel(row), shareHighText(row.shareHigh));
    return h('div', { className: `chart-row${row.tiedWith?.length ? ' is-tied' : ''}`, attrs: { role: 'listitem', 'data-variant-score': row.variant, 'data-mean': String(row.mean), 'data-n': String(row.n), title: description } }, [
      h('span', { className: 'chart-label' }, [variantSpan(row.variant), h('span', { className: 'sr-only', text: row.variant === '' ? basePromptSuffix() : '' })]),
      scoreTrack(row, colourSlot(i)),
      h('span', { className: 'chart-figures' }, [
        h('span', { className: 'chart-value', text: scoreLabel(row) }),
        rank ? h('span', { className: `chart-rank${row.tiedWith?.length ? ' is-tied' : ''}`, text: rank }) : null,
        h('span', { className: 'sr-only', text: `, ${shareHighText(row.shareHigh)}` }),
      ]),
    ]);
  }));
  const ticks = [1, 2, 3, 4, 5].map((v) => tick(String(v), scoreFraction(v)));
  return section(l10n.t('Mean score by variant'), l10n.t('scale 1–5 · whiskers: 95% interval'), [list, axisRow(ticks)], 'score-means');
}

function scoreTrack(row: VariantScoreView, slot: number): SVGSVGElement {
  const x = (v: number): number => scoreFraction(v) * trackWidth;
  const interval = scoreInterval(row);
  const mid = trackHeight / 2;
  return svg('svg', { class: 'chart-track', viewBox: `0 0 ${trackWidth} ${trackHeight}`, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' }, [
    ...[scoreMin, 2, 3, 4, scoreMax].map((v) => svg('line', { class: 'chart-grid', x1: x(v), x2: x(v), y1: 0, y2: trackHeight })),
    svg('rect', { class: `chart-bar c${slot}`, x: 0, y: mid - 6, width: Math.max(0.5, x(row.mean)), height: 12 }),
    interval ? whisker(x(interval.low), x(interval.high), mid) : null,
  ]);
}

function whisker(from: number, to: number, mid: number): SVGGElement {
  return svg('g', { class: 'chart-whisker' }, [
    svg('line', { x1: from, x2: to, y1: mid, y2: mid }),
    svg('line', { x1: from, x2: from, y1: mid - 7, y2: mid + 7 }),
    svg('line', { x1: to, x2: to, y1: mid - 7, y2: mid + 7 }),
  ]);
}

function tick(label: string, fraction: number): HTMLElement {
  const el = h('span', { className: 'chart-tick', text: label });
  // CSSOM, not a style attribute: the panel's CSP refuses inline styles.
  el.style.left = `${fraction * 100}%`;
  return el;
}

function axisRow(ticks: HTMLElement[]): HTMLElement {
  return h('div', { className: 'chart-row chart-axis', attrs: { 'aria-hidden': 'true' } }, [h('span'), h('span', { className: 'chart-ticks' }, ticks), h('span')]);
}

function modelTableBlock(scores: ScoresData): HTMLElement {
  const table = modelTable(scores);
  const overall = new Map(variantRows(scores).map((v) => [v.variant, v]));
  const cell = (score: VariantScoreView | undefined, extraClass = ''): HTMLElement =>
    h('td', { className: `num ${extraClass}`.trim(), text: score ? scoreLabel(score) : '—', attrs: { title: score ? shareHighText(score.shareHigh) : l10n.t('No ratings') } });
  return section(l10n.t('By model'), l10n.t('mean ± 95% interval (n ratings)'), [
    h('div', { className: 'score-table-scroll' }, [
      h('table', { className: 'score-table' }, [
        h('thead', {}, [h('tr', {}, [
          h('th', { text: l10n.t('Variant'), attrs: { scope: 'col' } }),
          ...table.models.map((m) => h('th', { className: 'num', text: m, attrs: { scope: 'col' } })),
          h('th', { className: 'num', text: l10n.t('All models'), attrs: { scope: 'col' } }),
        ])]),
        h('tbody', {}, table.variants.map((variant) => h('tr', { attrs: { 'data-score-row': variant } }, [
          h('th', { attrs: { scope: 'row' } }, [variantSpan(variant), variant === '' ? h('span', { className: 'sr-only', text: basePromptSuffix() }) : null]),
          ...table.models.map((m) => cell(table.cell(variant, m))),
          cell(overall.get(variant), 'is-total'),
        ]))),
      ]),
    ]),
  ]);
}

function playerLabel(player: string): string {
  return variantLabel(player);
}

/** Bradley–Terry log-strengths on an axis centred at 0, with their intervals. */
function strengthChart(strengths: StrengthView[]): HTMLElement {
  const bound = strengthBound(strengths);
  const ticks = strengthTicks(bound);
  const x = (v: number): number => strengthFraction(v, bound) * trackWidth;
  const mid = trackHeight / 2;
  const rows = h('div', { className: 'chart-rows', attrs: { role: 'list', 'aria-label': l10n.t('Blind A/B strengths') } }, strengths.map((s, i) =>
    h('div', { className: 'chart-row', attrs: { role: 'listitem', 'data-strength': s.player, title: l10n.t('{0}: log-strength {1}', playerLabel(s.player), strengthLabel(s)) } }, [
      h('span', { className: 'chart-label' }, [h('span', { className: s.player === '' ? 'variant-base' : '', text: playerLabel(s.player) })]),
      svg('svg', { class: 'chart-track', viewBox: `0 0 ${trackWidth} ${trackHeight}`, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' }, [
        ...ticks.filter((t) => t.value !== 0).map((t) => svg('line', { class: 'chart-grid', x1: x(t.value), x2: x(t.value), y1: 0, y2: trackHeight })),
        svg('line', { class: 'chart-zero', x1: x(0), x2: x(0), y1: 0, y2: trackHeight }),
        svg('rect', { class: `chart-bar c${colourSlot(i)}`, x: Math.min(x(0), x(s.logStrength)), y: mid - 6, width: Math.max(0.5, Math.abs(x(s.logStrength) - x(0))), height: 12 }),
        whisker(x(s.low), x(s.high), mid),
      ]),
      h('span', { className: 'chart-figures' }, [h('span', { className: 'chart-value', text: strengthLabel(s) })]),
    ]),
  ));
  return section(l10n.t('Blind A/B strengths'), l10n.t('Bradley–Terry, log scale: 0 is average, +0.69 doubles the odds of winning'), [rows, axisRow(ticks.map((t) => tick(t.label, strengthFraction(t.value, bound))))], 'score-strengths');
}

function winRateBlock(winRate: NonNullable<ScoresData['winRate']>): HTMLElement {
  const players = winRate.players;
  return section(l10n.t('Win rate in blind pairs'), l10n.t('row against column, ties count half'), [
    h('div', { className: 'score-table-scroll' }, [
      h('table', { className: 'score-table win-rate', attrs: { 'data-win-rate': '' } }, [
        h('thead', {}, [h('tr', {}, [h('th', { attrs: { scope: 'col' } }, [h('span', { className: 'sr-only', text: l10n.t('Row against column') })]), ...players.map((p) => h('th', { className: 'num', text: playerLabel(p), attrs: { scope: 'col' } }))])]),
        h('tbody', {}, players.map((row, i) => h('tr', {}, [
          h('th', { text: playerLabel(row), attrs: { scope: 'row' } }),
          ...players.map((column, j) => {
            if (i === j) return h('td', { className: 'num is-self', attrs: { 'aria-label': l10n.t('same') } }, ['·']);
            const rate = winRate.rates[i]?.[j];
            const known = typeof rate === 'number' && Number.isFinite(rate);
            return h('td', { className: `num${known ? (rate > 0.5 ? ' is-ahead' : rate < 0.5 ? ' is-behind' : '') : ' is-unknown'}`, text: winRateText(rate), attrs: { title: winRateDescription(playerLabel(row), playerLabel(column), rate) } });
          }),
        ]))),
      ]),
    ]),
  ]);
}

function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
  el.setAttribute('aria-disabled', String(disabled));
}
