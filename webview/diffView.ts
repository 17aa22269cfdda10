/**
 * The variant diff: for each message, the words one variant removes (struck, in
 * `<del>`) and adds (`<ins>`) against the other, as text nodes only, with the two
 * labels and what was compared above, and a way into VS Code's diff editor.
 */
import type { VariantDiffView } from '../src/core/protocol';
import { codicon, custom, h, replaceChildren } from './dom';
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
    const open = custom('vscode-button', { className: 'action', attrs: { icon: 'diff', title: 'Open the two rendered variants in VS Code’s diff editor', 'data-action': 'openDiffEditor', secondary: '' }, text: 'Open in diff editor' });
    open.addEventListener('click', () => host.openDiffEditor());
    this.legend = h('p', { className: 'diff-legend' });
    this.list = h('ol', { className: 'diff-messages' });
    this.el = h('section', { className: 'diff-view', attrs: { 'data-view': 'diff', 'aria-label': 'Variant diff', hidden: '' } }, [
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
      h('span', { className: 'diff-side diff-side-left', attrs: { title: `Removed words come from ${diff.left.label}` } }, [codicon('diff-removed'), sideLabel(diff.left)]),
      h('span', { className: 'diff-arrow' }, [codicon('arrow-right'), h('span', { className: 'sr-only', text: ' compared with ' })]),
      h('span', { className: 'diff-side diff-side-right', attrs: { title: `Added words come from ${diff.right.label}` } }, [codicon('diff-added'), sideLabel(diff.right)]),
    ]);
    this.basis.textContent = diff.basis;
    this.basis.hidden = diff.basis === '';

    const totals = diffWordCounts(diff.messages.flatMap((m) => m.parts));
    replaceChildren(this.legend, [
      h('del', { text: 'removed' }),
      ` from ${diff.left.label} · `,
      h('ins', { text: 'added' }),
      ` in ${diff.right.label} · `,
      h('span', { className: 'diff-totals', text: totals.removed + totals.added === 0 ? 'the two variants render the same words' : `${words(totals.removed)} removed, ${words(totals.added)} added` }),
    ]);

    replaceChildren(
      this.list,
      diff.messages.map((message) => {
        const counts = diffWordCounts(message.parts);
        const changed = counts.removed + counts.added > 0;
        return h('li', { className: `diff-message message role-${roleClass(message.role)}`, attrs: { 'data-role': message.role } }, [
          h('div', { className: 'message-role' }, [
            h('span', { className: 'role-pill', text: message.role }),
            h('span', { className: 'diff-message-counts', text: changed ? `−${counts.removed} +${counts.added} words` : 'unchanged' }),
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

function words(n: number): string {
  return `${n} ${n === 1 ? 'word' : 'words'}`;
}

/** Only known roles become a class name (the role text is shown as it came). */
function roleClass(role: string): string {
  return role === 'system' || role === 'user' || role === 'assistant' ? role : 'other';
}
