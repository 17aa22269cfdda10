/**
 * The pure rules of the blind A/B view and the suggestions view: which key means
 * which verdict, the progress line, and which actions a suggestion offers in each
 * status. No DOM: unit-tested in test/unit/feedbackModel.test.ts.
 */
import * as l10n from '@vscode/l10n';
import type { SuggestionStatus, SuggestionView, SuggestionsView } from '../src/core/protocol';

export type BlindChoice = 'left' | 'right' | 'tie' | 'skip';

/** a / ← : A is better; b / → : B is better; t / = : tie; s : skip. */
export function blindKeyChoice(key: string): BlindChoice | undefined {
  switch (key) {
    case 'a':
    case 'A':
    case 'ArrowLeft':
      return 'left';
    case 'b':
    case 'B':
    case 'ArrowRight':
      return 'right';
    case 't':
    case 'T':
    case '=':
      return 'tie';
    case 's':
    case 'S':
      return 'skip';
    default:
      return undefined;
  }
}

/** "3 judged · 12 left". */
export function blindProgressText(judged: number, remaining: number): string {
  return [l10n.t('{0} judged', judged.toLocaleString('en-US')), l10n.t('{0} left', remaining.toLocaleString('en-US'))].join(' · ');
}

/** What the live region says after a verdict. */
export function blindChoiceWords(choice: BlindChoice): string {
  switch (choice) {
    case 'left':
      return l10n.t('A is better');
    case 'right':
      return l10n.t('B is better');
    case 'tie':
      return l10n.t('Tie');
    case 'skip':
      return l10n.t('Skipped');
  }
}

export type SuggestionAction = 'openDiff' | 'accept' | 'apply' | 'discard' | 'runProof';

/**
 * The actions a suggestion offers: none while it streams or once discarded;
 * a rejected one can be looked at and discarded but never accepted or applied;
 * an accepted one is proven with a re-run.
 */
export function suggestionActions(status: SuggestionStatus): SuggestionAction[] {
  switch (status) {
    case 'streaming':
    case 'discarded':
      return [];
    case 'ok':
    case 'repaired':
      return ['openDiff', 'accept', 'apply', 'discard'];
    case 'rejected':
      return ['openDiff', 'discard'];
    case 'accepted':
      return ['runProof', 'openDiff'];
    case 'applied':
      return ['openDiff'];
  }
}

/** A suggestion action's button: its label, icon and tooltip (a function: the words are looked up when drawn). */
export function suggestionActionLabel(action: SuggestionAction): { label: string; icon: string; title: string } {
  switch (action) {
    case 'openDiff':
      return { label: l10n.t('Open diff'), icon: 'diff', title: l10n.t('Open the current prompt and this rewrite in VS Code’s diff editor') };
    case 'accept':
      return { label: l10n.t('Accept as variant'), icon: 'versions', title: l10n.t('Save this rewrite as a new variant file beside the prompt') };
    case 'apply':
      return { label: l10n.t('Apply to file'), icon: 'replace-all', title: l10n.t('Replace the prompt file’s body with this rewrite') };
    case 'discard':
      return { label: l10n.t('Discard'), icon: 'trash', title: l10n.t('Put this suggestion aside') };
    case 'runProof':
      return { label: l10n.t('Run A/B now'), icon: 'run-all', title: l10n.t('Sweep the new variant against its parent to prove whether it is better') };
  }
}

/** What the status line says when the host refuses an action. */
export function suggestionActionFailure(action: SuggestionAction): string {
  switch (action) {
    case 'openDiff':
      return l10n.t('Could not open the diff');
    case 'accept':
      return l10n.t('Could not save the variant');
    case 'apply':
      return l10n.t('Could not apply the rewrite to the file');
    case 'discard':
      return l10n.t('Could not discard the suggestion');
    case 'runProof':
      return l10n.t('Could not start the A/B run');
  }
}

/** A suggestion's status: its word and icon. */
export function suggestionStatusLabel(status: SuggestionStatus): { label: string; icon: string } {
  switch (status) {
    case 'streaming':
      return { label: l10n.t('writing…'), icon: 'loading' };
    case 'ok':
      return { label: l10n.t('checked: ok'), icon: 'pass' };
    case 'repaired':
      return { label: l10n.t('repaired'), icon: 'wrench' };
    case 'rejected':
      return { label: l10n.t('rejected'), icon: 'circle-slash' };
    case 'accepted':
      return { label: l10n.t('accepted'), icon: 'check' };
    case 'applied':
      return { label: l10n.t('applied to the file'), icon: 'check-all' };
    case 'discarded':
      return { label: l10n.t('discarded'), icon: 'trash' };
  }
}

/** What the notes of a suggestion are, for their heading. */
export function notesHeading(status: SuggestionStatus): string {
  if (status === 'rejected') return l10n.t('Why it was rejected');
  if (status === 'repaired') return l10n.t('What was repaired');
  return l10n.t('Notes');
}

/** "Improving concise with qwen3:8b · from 18 rated answers". */
export function suggestionsHeading(view: Pick<SuggestionsView, 'parentLabel' | 'optimizerModel' | 'evidence'>): string {
  return view.evidence === 1
    ? l10n.t('Improving {0} with {1} · from 1 rated answer', view.parentLabel, view.optimizerModel)
    : l10n.t('Improving {0} with {1} · from {2} rated answers', view.parentLabel, view.optimizerModel, view.evidence);
}

/** The state line: what the optimizer is doing, or how the session ended. */
export function suggestionsStateText(view: Pick<SuggestionsView, 'state' | 'items'>): string {
  const count = view.items.length;
  const usable = view.items.filter((i) => i.status === 'ok' || i.status === 'repaired' || i.status === 'accepted' || i.status === 'applied').length;
  const one = count === 1;
  switch (view.state) {
    case 'running':
      if (count === 0) return l10n.t('Writing the critique…');
      return one ? l10n.t('Writing suggestions… 1 suggestion so far') : l10n.t('Writing suggestions… {0} suggestions so far', count);
    case 'done':
      if (count === 0) return l10n.t('Done: no suggestions');
      if (usable < count) return one ? l10n.t('Done: 1 suggestion, {0} usable', usable) : l10n.t('Done: {0} suggestions, {1} usable', count, usable);
      return one ? l10n.t('Done: 1 suggestion') : l10n.t('Done: {0} suggestions', count);
    case 'stopped':
      return one ? l10n.t('Stopped: 1 suggestion kept') : l10n.t('Stopped: {0} suggestions kept', count);
    case 'failed':
      return l10n.t('Failed');
  }
}

/** A stamp of a suggestion as drawn: a card is rebuilt only when it changes. */
export function suggestionStamp(item: SuggestionView): string {
  return JSON.stringify([item.status, item.techniqueLabel, item.summary, item.notes, item.acceptedAs, item.diff]);
}
