import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PanelViewName } from '../../src/core/protocol';
import { defaultUiState, readUiState, resolveView } from '../../webview/uiState';

void describe('readUiState', () => {
  void it('reads a version 1 state (before sweeps) and fills in the new fields', () => {
    const state = readUiState({ version: 1, rawModels: ['llama3.2', 7], focusedModel: 'qwen3:8b', answerScroll: { 'llama3.2': 120, bad: 'x' }, columnsScroll: 40, messagesOpen: true });
    assert.deepEqual(state, { ...defaultUiState(), rawModels: ['llama3.2'], focusedModel: 'qwen3:8b', answerScroll: { 'llama3.2': 120 }, columnsScroll: 40, messagesOpen: true });
    assert.equal(state.version, 2);
    assert.equal(state.sweep.grouping, 'model');
  });

  void it('reads the view and the grid choices of a version 2 state', () => {
    const stored = {
      ...defaultUiState(),
      view: 'sweep',
      hostView: 'diff',
      sweep: { grouping: 'variant', failedOnly: true, differingOnly: false, activeCell: 'a\u0000m\u00001\u00000', selectedCell: 'a\u0000m\u00001\u00000', selectedRepeat: 2, detailRaw: true, scrollTop: 500, scrollLeft: 30, summaryOpen: false },
    };
    assert.deepEqual(readUiState(JSON.parse(JSON.stringify(stored))), stored);
  });

  void it('falls back field by field on anything malformed', () => {
    const state = readUiState({ version: 2, view: 'grid', sweep: { grouping: 'case', failedOnly: 'yes', selectedRepeat: -1, scrollTop: Infinity, activeCell: 3 } });
    assert.equal(state.view, undefined);
    assert.deepEqual(state.sweep, defaultUiState().sweep);
    assert.deepEqual(readUiState({ version: 3 }), defaultUiState());
    assert.deepEqual(readUiState(null), defaultUiState());
  });
});

void describe('resolveView', () => {
  const all = new Set<PanelViewName>(['run', 'sweep', 'diff']);

  void it('keeps the user’s choice while the host has brought nothing new forward', () => {
    assert.equal(resolveView({ view: 'run', hostView: 'sweep' }, 'sweep', all), 'run');
  });

  void it('lets a newer view from the host win', () => {
    assert.equal(resolveView({ view: 'run', hostView: 'sweep' }, 'diff', all), 'diff');
    assert.equal(resolveView({}, 'sweep', all), 'sweep');
  });

  void it('never shows a view without data', () => {
    assert.equal(resolveView({ view: 'diff' }, undefined, new Set(['run', 'sweep'])), 'run');
    assert.equal(resolveView({ view: 'diff' }, 'sweep', new Set(['sweep'])), 'sweep');
    assert.equal(resolveView({}, undefined, new Set()), 'run');
    assert.equal(resolveView({}, undefined, new Set(['diff'])), 'diff');
  });
});
