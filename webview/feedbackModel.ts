/**
 * The pure rules of the blind A/B view and the suggestions view: which key means
 * which verdict, the progress line, and which actions a suggestion offers in each
 * status. No DOM: unit-tested in test/unit/feedbackModel.test.ts.
 */
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
  return `${judged.toLocaleString('en-US')} judged · ${remaining.toLocaleString('en-US')} left`;
}

/** What the live region says after a verdict. */
export function blindChoiceWords(choice: BlindChoice): string {
  switch (choice) {
    case 'left':
      return 'A is better';
    case 'right':
      return 'B is better';
    case 'tie':
      return 'Tie';
    case 'skip':
      return 'Skipped';
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

export const suggestionActionLabels: Readonly<Record<SuggestionAction, { label: string; icon: string; title: string }>> = {
  openDiff: { label: 'Open diff', icon: 'diff', title: 'Open the current prompt and this rewrite in VS Code’s diff editor' },
  accept: { label: 'Accept as variant', icon: 'versions', title: 'Save this rewrite as a new variant file beside the prompt' },
  apply: { label: 'Apply to file', icon: 'replace-all', title: 'Replace the prompt file’s body with this rewrite' },
  discard: { label: 'Discard', icon: 'trash', title: 'Put this suggestion aside' },
  runProof: { label: 'Run A/B now', icon: 'run-all', title: 'Sweep the new variant against its parent to prove whether it is better' },
};

/** What the status line says when the host refuses an action. */
export const suggestionActionFailures: Readonly<Record<SuggestionAction, string>> = {
  openDiff: 'Could not open the diff',
  accept: 'Could not save the variant',
  apply: 'Could not apply the rewrite to the file',
  discard: 'Could not discard the suggestion',
  runProof: 'Could not start the A/B run',
};

export const suggestionStatusLabels: Readonly<Record<SuggestionStatus, { label: string; icon: string }>> = {
  streaming: { label: 'writing…', icon: 'loading' },
  ok: { label: 'checked: ok', icon: 'pass' },
  repaired: { label: 'repaired', icon: 'wrench' },
  rejected: { label: 'rejected', icon: 'circle-slash' },
  accepted: { label: 'accepted', icon: 'check' },
  applied: { label: 'applied to the file', icon: 'check-all' },
  discarded: { label: 'discarded', icon: 'trash' },
};

/** What the notes of a suggestion are, for their heading. */
export function notesHeading(status: SuggestionStatus): string {
  if (status === 'rejected') return 'Why it was rejected';
  if (status === 'repaired') return 'What was repaired';
  return 'Notes';
}

/** "Improving concise with qwen3:8b · from 18 rated answers". */
export function suggestionsHeading(view: Pick<SuggestionsView, 'parentLabel' | 'optimizerModel' | 'evidence'>): string {
  return `Improving ${view.parentLabel} with ${view.optimizerModel} · from ${view.evidence} rated ${view.evidence === 1 ? 'answer' : 'answers'}`;
}

/** The state line: what the optimizer is doing, or how the session ended. */
export function suggestionsStateText(view: Pick<SuggestionsView, 'state' | 'items'>): string {
  const count = view.items.length;
  const usable = view.items.filter((i) => i.status === 'ok' || i.status === 'repaired' || i.status === 'accepted' || i.status === 'applied').length;
  const of = `${count} ${count === 1 ? 'suggestion' : 'suggestions'}`;
  switch (view.state) {
    case 'running':
      return count === 0 ? 'Writing the critique…' : `Writing suggestions… ${of} so far`;
    case 'done':
      return count === 0 ? 'Done: no suggestions' : `Done: ${of}${usable < count ? `, ${usable} usable` : ''}`;
    case 'stopped':
      return `Stopped: ${of} kept`;
    case 'failed':
      return 'Failed';
  }
}

/** A stamp of a suggestion as drawn: a card is rebuilt only when it changes. */
export function suggestionStamp(item: SuggestionView): string {
  return JSON.stringify([item.status, item.techniqueLabel, item.summary, item.notes, item.acceptedAs, item.diff]);
}
