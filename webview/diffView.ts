/**
 * The variant diff: for each message, the words one variant removes (struck, in
 * `<del>`) and adds (`<ins>`) against the other, as text nodes only, with the two
 * labels and what was compared above, and a way into VS Code's diff editor.
 */
import * as l10n from '@vscode/l10n';
import type { VariantDiffView } from '../src/core/protocol';
import { codicon, custom, fill, h, replaceChildren } from './dom';
import { diffWordCounts } from './format';

export interface VariantDiffHost {
  openDiffEditor(): void;
}

export class VariantDiff {
  readonly el: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly basis: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly list: HTMLElement;
  private diff: VariantDiffView | undefined;

  constructor(host: VariantDiffHost) {
    this.heading = h('h2', { className: 'diff-heading' });
    this.basis = h('p', { className: 'diff-basis' });
    const open = custom('vscode-button', { className: 'action', attrs: { icon: 'diff', title: l10n.t('Open the two rendered variants in VS Code’s diff editor'), 'data-action': 'openDiffEditor', secondary: '' }, text: l10n.t('Open in diff editor') });
    open.addEventListener('click', () => host.openDiffEditor());
    this.legend = h('p', { className: 'diff-legend' });
    this.list = h('ol', { className: 'diff-messages' });
    this.el = h('section', { className: 'diff-view', attrs: { 'data-view': 'diff', 'aria-label': l10n.t('Variant diff'), hidden: '' } }, [
      h('header', { className: 'diff-bar' }, [h('div', { className: 'diff-title' }, [this.heading, this.basis]), open]),
      this.legend,
      h('div', { className: 'diff-scroll' }, [this.list]),
    ]);
  }

  get current(): VariantDiffView | undefined {
    return this.diff;
  }

  show(diff: VariantDiffView | undefined): void {
    this.diff = diff;
    if (!diff) {
      this.heading.replaceChildren();
      this.list.replaceChildren();
      return;
    }
    replaceChildren(this.heading, [
      h('span', { className: 'diff-side diff-side-left', attrs: { title: l10n.t('Removed words come from {0}', diff.left.label) } }, [codicon('diff-removed'), sideLabel(diff.left)]),
      // Read between the two labels by screen readers only: "concise compared with formal".
      h('span', { className: 'diff-arrow' }, [codicon('arrow-right'), h('span', { className: 'sr-only', text: ` ${l10n.t('compared with')} ` })]),
      h('span', { className: 'diff-side diff-side-right', attrs: { title: l10n.t('Added words come from {0}', diff.right.label) } }, [codicon('diff-added'), sideLabel(diff.right)]),
    ]);
    this.basis.textContent = diff.basis;
    this.basis.hidden = diff.basis === '';

    const totals = diffWordCounts(diff.messages.flatMap((m) => m.parts));
    const totalsText = totals.removed + totals.added === 0 ? l10n.t('the two variants render the same words') : wordTotals(totals.removed, totals.added);
    // {0} and {2} are the struck and underlined samples ("removed", "added"), {1} and {3} the variants, {4} the word counts.
    replaceChildren(this.legend, fill(l10n.t('{0} from {1} · {2} in {3} · {4}'), [
      h('del', { text: l10n.t('removed') }),
      diff.left.label,
      h('ins', { text: l10n.t('added') }),
      diff.right.label,
      h('span', { className: 'diff-totals', text: totalsText }),
    ]));

    replaceChildren(
      this.list,
      diff.messages.map((message) => {
        const counts = diffWordCounts(message.parts);
        const changed = counts.removed + counts.added > 0;
        return h('li', { className: `diff-message message role-${roleClass(message.role)}`, attrs: { 'data-role': message.role } }, [
          h('div', { className: 'message-role' }, [
            h('span', { className: 'role-pill', text: message.role }),
            h('span', { className: 'diff-message-counts', text: changed ? diffCountsText(counts.removed, counts.added) : l10n.t('unchanged') }),
          ]),
          h('pre', { className: 'diff-text' }, diffPartNodes(message.parts)),
        ]);
      }),
    );
  }
}

/** A word diff as nodes: removed words in `<del>`, added in `<ins>`, the rest as text (never parsed as HTML). */
export function diffPartNodes(parts: readonly { value: string; added?: boolean; removed?: boolean }[]): (HTMLElement | string)[] {
  return parts.map((part) => (part.removed ? h('del', { text: part.value }) : part.added ? h('ins', { text: part.value }) : part.value));
}

function sideLabel(side: VariantDiffView['left']): HTMLElement {
  return h('span', { className: side.variant === '' ? 'variant-base' : '', text: side.label });
}

/** "3 words removed, 1 word added". */
function wordTotals(removed: number, added: number): string {
  if (removed === 1 && added === 1) return l10n.t('1 word removed, 1 word added');
  if (removed === 1) return l10n.t('1 word removed, {0} words added', added);
  if (added === 1) return l10n.t('{0} words removed, 1 word added', removed);
  return l10n.t('{0} words removed, {1} words added', removed, added);
}

/** "−3 +1 words": the words a message (or a rewrite) removes and adds. */
export function diffCountsText(removed: number, added: number): string {
  return l10n.t('−{0} +{1} words', removed, added);
}

/** Only known roles become a class name (the role text is shown as it came). */
function roleClass(role: string): string {
  return role === 'system' || role === 'user' || role === 'assistant' ? role : 'other';
}
