import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PanelViewName } from '../../src/core/protocol';
import { defaultUiState, readUiState, resolveView } from '../../webview/uiState';

void describe('UiState and the feedback views', () => {
  void it('reads the new view names and the blind comment draft', () => {
    const stored = { ...defaultUiState(), view: 'scores', hostView: 'suggestions', blindComment: { pairId: 'pair-7', text: 'B keeps the caveat.' } };
    assert.deepEqual(readUiState(JSON.parse(JSON.stringify(stored))), stored);
    for (const view of ['blind', 'suggestions', 'scores'] as const) assert.equal(readUiState({ ...defaultUiState(), view }).view, view);
  });

  void it('a state written before these views reads as it did (no new version needed)', () => {
    const before = { version: 2, rawModels: [], answerScroll: {}, columnsScroll: 0, messagesOpen: false, view: 'sweep', sweep: defaultUiState().sweep };
    const state = readUiState(before);
    assert.equal(state.view, 'sweep');
    assert.equal(state.blindComment, undefined);
  });

  void it('drops a malformed or empty draft', () => {
    for (const blindComment of [null, 'text', { pairId: '', text: 'x' }, { pairId: 'p', text: '' }, { pairId: 'p', text: 3 }, { pairId: 'x'.repeat(5000), text: 'x' }]) {
      assert.equal(readUiState({ ...defaultUiState(), blindComment }).blindComment, undefined, JSON.stringify(blindComment).slice(0, 40));
    }
    assert.equal(readUiState({ ...defaultUiState(), blindComment: { pairId: 'p', text: 'y'.repeat(20_000) } }).blindComment?.text.length, 10_000);
  });

  void it('resolves to a feedback view when it has data, else falls back', () => {
    const some = new Set<PanelViewName>(['run', 'scores']);
    assert.equal(resolveView({ view: 'scores' }, undefined, some), 'scores');
    assert.equal(resolveView({ view: 'blind' }, undefined, some), 'run');
    assert.equal(resolveView({}, undefined, new Set<PanelViewName>(['suggestions'])), 'suggestions');
  });
});
