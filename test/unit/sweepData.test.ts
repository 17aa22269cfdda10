import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridCellKey, type SweepCellView, type SweepView } from '../../src/core/protocol';
import { SweepData, presentRepeats } from '../../webview/sweepData';

function cell(variant: string, model: string, caseIndex: number, repeat = 0, status: SweepCellView['status'] = 'queued', text = ''): SweepCellView {
  return { cellId: `${variant}|${model}|${caseIndex}|0|${repeat}`, variant, model, caseIndex, paramsIndex: 0, repeat, status, text };
}

function view(cells: SweepCellView[], repeats = 1): SweepView {
  return {
    sweepId: 's1', family: 'summarize', familyPath: 'summarize.prompt', variants: ['', 'concise'], models: ['m1', 'm2'],
    cases: [0, 1].map((index) => ({ index, label: `case ${index + 1}`, input: {} })), params: [{}], repeats, cells, state: 'running', startedAt: 0, summaries: [], consistency: [],
  };
}

const key = (variant: string, model: string, caseIndex: number): string => gridCellKey({ variant, model, caseIndex, paramsIndex: 0 });

void describe('SweepData', () => {
  void it('indexes cells by grid cell, repeats in order, and counts statuses', () => {
    const data = new SweepData(view([cell('', 'm1', 0, 1, 'done', 'b'), cell('', 'm1', 0, 0, 'cached', 'a'), cell('concise', 'm2', 1)], 2));
    const grid = data.cell(key('', 'm1', 0));
    assert.deepEqual(presentRepeats(grid).map((c) => c.text), ['a', 'b']);
    assert.equal(grid?.status, 'done');
    assert.deepEqual(data.progress(), { total: 3, done: 1, cached: 1, failed: 0, cancelled: 0, active: 1 });
  });

  void it('applies updates: replace then append text, status counts, errors cleared, metrics merged', () => {
    const original = cell('', 'm1', 0);
    const data = new SweepData(view([original]));
    const before = data.cell(key('', 'm1', 0))?.version ?? -1;
    const changed = data.apply([
      { cellId: original.cellId, status: 'running', appendText: 'Hel' },
      { cellId: original.cellId, appendText: 'lo', metrics: { ttftMs: 100 } },
      { cellId: 'unknown', appendText: 'x' },
    ]);
    assert.deepEqual([...changed], [key('', 'm1', 0)]);
    const stored = data.cellById(original.cellId);
    assert.equal(stored?.text, 'Hello');
    assert.equal(original.text, '', 'the message the sweep came in is never changed');
    assert.ok((data.cell(key('', 'm1', 0))?.version ?? -1) > before);
    data.apply([{ cellId: original.cellId, status: 'failed', error: { kind: 'cut', message: 'reset' }, metrics: { totalMs: 900 } }]);
    assert.deepEqual(stored?.metrics, { ttftMs: 100, totalMs: 900 });
    assert.equal(data.progress().failed, 1);
    data.apply([{ cellId: original.cellId, status: 'queued', text: '' }, { cellId: original.cellId, status: 'cached', text: 'From the cache' }]);
    assert.equal(stored?.error, undefined);
    assert.equal(stored?.text, 'From the cache');
    assert.deepEqual(data.progress(), { total: 1, done: 0, cached: 1, failed: 0, cancelled: 0, active: 0 });
  });

  void it('marks what is still in flight as cancelled when the sweep ends', () => {
    const data = new SweepData(view([cell('', 'm1', 0, 0, 'running', 'part'), cell('', 'm2', 0, 0, 'done', 'x'), cell('', 'm1', 1)]));
    const changed = data.finish('cancelled', 5);
    assert.deepEqual([...changed].sort(), [key('', 'm1', 0), key('', 'm1', 1)].sort());
    assert.equal(data.state, 'cancelled');
    assert.equal(data.finishedAt, 5);
    assert.deepEqual(data.progress(), { total: 3, done: 1, cached: 0, failed: 0, cancelled: 2, active: 0 });
    assert.equal(data.cellById('|m1|0|0|0')?.text, 'part');
  });

  void it('flags rows with a failure, and rows whose finished answers differ (whitespace ignored)', () => {
    const data = new SweepData(view([
      cell('', 'm1', 0, 0, 'done', 'Positive.'),
      cell('', 'm2', 0, 0, 'cached', '  Positive. \n'),
      cell('concise', 'm1', 0, 0, 'running', 'Neg'),
      cell('', 'm1', 1, 0, 'done', 'a'),
      cell('', 'm2', 1, 0, 'failed', ''),
    ]));
    assert.deepEqual(data.rowFlags(0), { failed: false, differs: false });
    assert.deepEqual(data.rowFlags(1), { failed: true, differs: false });
    data.apply([{ cellId: 'concise|m1|0|0|0', status: 'done', appendText: 'ative.' }]);
    assert.deepEqual(data.rowFlags(0), { failed: false, differs: true }, 'the row is looked at again after a change');
    assert.equal(data.hasFailure(key('', 'm2', 1)), true);
  });

  void it('keeps summaries and consistency by key, a summary without a point standing for the only one', () => {
    const data = new SweepData(view([cell('', 'm1', 0)]));
    const version = data.summariesVersion;
    data.applySummaries([{ variant: '', model: 'm1', cells: 2, done: 1, failed: 0 }, { variant: '', cells: 4, done: 1, failed: 1 }]);
    data.applySummaries([{ variant: '', model: 'm1', cells: 2, done: 2, failed: 0, meanScore: 4.5, ratings: 2 }]);
    assert.equal(data.columnSummary('', 'm1', 0)?.done, 2);
    assert.equal(data.columnSummary('', 'm1', 0)?.meanScore, 4.5);
    assert.equal(data.variantSummary('')?.failed, 1);
    assert.equal(data.columnSummary('concise', 'm1', 0), undefined);
    data.applyConsistency([{ key: key('', 'm1', 0), answers: 3, distinct: 2, similarity: 0.8 }]);
    assert.equal(data.consistency(key('', 'm1', 0))?.distinct, 2);
    assert.ok(data.summariesVersion > version);
  });

  void it('handles 10,000 cells quickly', () => {
    const cells: SweepCellView[] = [];
    for (let c = 0; c < 500; c++) for (let m = 0; m < 20; m++) cells.push({ ...cell('', `m${m}`, c, 0, 'done', `answer ${c} ${m % 2}`), cellId: `${c}/${m}` });
    const sweep = { ...view(cells), models: Array.from({ length: 20 }, (_, m) => `m${m}`), variants: [''], cases: Array.from({ length: 500 }, (_, index) => ({ index, label: `case ${index + 1}`, input: {} })) };
    const started = performance.now();
    const data = new SweepData(sweep);
    let differing = 0;
    for (let row = 0; row < 500; row++) if (data.rowFlags(row).differs) differing++;
    const took = performance.now() - started;
    assert.equal(data.cellCount, 10_000);
    assert.equal(differing, 500);
    assert.ok(took < 500, `took ${took} ms`);
  });
});
