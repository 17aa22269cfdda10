import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SuggestionStatus, SuggestionView } from '../../src/core/protocol';
import { blindKeyChoice, blindProgressText, suggestionActions, suggestionsHeading, suggestionsStateText, suggestionStamp } from '../../webview/feedbackModel';

const item = (id: string, status: SuggestionStatus): SuggestionView => ({ id, technique: 't', techniqueLabel: 'T', status, notes: [], diff: [] });

void describe('blind A/B keys and progress', () => {
  void it('a / ←: A; b / →: B; t / =: tie; s: skip; nothing else', () => {
    assert.deepEqual(['a', 'ArrowLeft', 'b', 'ArrowRight', 't', '=', 's', 'A', 'x', 'Enter', ' '].map(blindKeyChoice), ['left', 'left', 'right', 'right', 'tie', 'tie', 'skip', 'left', undefined, undefined, undefined]);
  });

  void it('"3 judged · 12 left"', () => {
    assert.equal(blindProgressText(3, 12), '3 judged · 12 left');
    assert.equal(blindProgressText(1200, 0), '1,200 judged · 0 left');
  });
});

void describe('suggestion actions', () => {
  void it('a rejected suggestion can never be accepted or applied', () => {
    assert.deepEqual(suggestionActions('rejected'), ['openDiff', 'discard']);
  });

  void it('checked ones offer everything; an accepted one is proven with a re-run; streaming and discarded ones offer nothing', () => {
    assert.deepEqual(suggestionActions('ok'), ['openDiff', 'accept', 'apply', 'discard']);
    assert.deepEqual(suggestionActions('repaired'), ['openDiff', 'accept', 'apply', 'discard']);
    assert.deepEqual(suggestionActions('accepted'), ['runProof', 'openDiff']);
    assert.deepEqual(suggestionActions('applied'), ['openDiff']);
    assert.deepEqual(suggestionActions('streaming'), []);
    assert.deepEqual(suggestionActions('discarded'), []);
  });

  void it('the header and the state line', () => {
    assert.equal(suggestionsHeading({ parentLabel: 'summarize.concise.prompt', optimizerModel: 'qwen3:8b', evidence: 1 }), 'Improving summarize.concise.prompt with qwen3:8b · from 1 rated answer');
    assert.equal(suggestionsStateText({ state: 'running', items: [] }), 'Writing the critique…');
    assert.equal(suggestionsStateText({ state: 'running', items: [item('1', 'ok')] }), 'Writing suggestions… 1 suggestion so far');
    assert.equal(suggestionsStateText({ state: 'done', items: [item('1', 'ok'), item('2', 'rejected'), item('3', 'discarded')] }), 'Done: 3 suggestions, 1 usable');
    assert.equal(suggestionsStateText({ state: 'stopped', items: [item('1', 'ok'), item('2', 'ok')] }), 'Stopped: 2 suggestions kept');
    assert.equal(suggestionsStateText({ state: 'failed', items: [] }), 'Failed');
  });

  void it('a card is rebuilt only when what it shows changed', () => {
    const a = { ...item('1', 'ok'), diff: [{ value: 'x', added: true }] };
    assert.equal(suggestionStamp(a), suggestionStamp({ ...a, diff: [{ value: 'x', added: true }] }));
    assert.notEqual(suggestionStamp(a), suggestionStamp({ ...a, diff: [{ value: 'y', added: true }] }));
    assert.notEqual(suggestionStamp(a), suggestionStamp({ ...a, status: 'accepted', acceptedAs: 'v' }));
  });
});
