import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CellStatus } from '../../src/core/protocol';
import { consistencyText, diffWordCounts, paramsLabel, progressText, sweepShape, variantLabel } from '../../webview/format';
import {
  answersDiffer, buildLayout, cellKeyAttribute, columnKey, filterRows, moveInGrid, normaliseAnswer, previewText, revealOffset, summariseStatus, visibleSpan,
} from '../../webview/gridModel';

const sweep = { variants: ['', 'concise'], models: ['llama3.2', 'qwen3:8b', 'gemma3:4b'], params: [{ temperature: 0.2 }, { temperature: 0.9 }] };

void describe('buildLayout', () => {
  void it('groups by model: a model header spans its variants, parameter points innermost', () => {
    const layout = buildLayout(sweep, 'model');
    assert.equal(layout.columns.length, 12);
    assert.deepEqual(layout.groups.map((g) => [g.value, g.start, g.span]), [['llama3.2', 0, 4], ['qwen3:8b', 4, 4], ['gemma3:4b', 8, 4]]);
    assert.deepEqual(layout.columns.slice(0, 4).map((c) => [c.variant, c.model, c.paramsIndex]), [['', 'llama3.2', 0], ['', 'llama3.2', 1], ['concise', 'llama3.2', 0], ['concise', 'llama3.2', 1]]);
  });

  void it('groups by variant: a variant header spans its models', () => {
    const layout = buildLayout({ ...sweep, params: [{}] }, 'variant');
    assert.deepEqual(layout.groups.map((g) => [g.value, g.start, g.span]), [['', 0, 3], ['concise', 3, 3]]);
    assert.deepEqual(layout.columns.map((c) => c.model), ['llama3.2', 'qwen3:8b', 'gemma3:4b', 'llama3.2', 'qwen3:8b', 'gemma3:4b']);
  });

  void it('indexes every column by its key, and an empty parameter list still makes one point', () => {
    const layout = buildLayout({ ...sweep, params: [] }, 'model');
    assert.equal(layout.columns.length, 6);
    layout.columns.forEach((c, i) => assert.equal(layout.indexOf.get(columnKey(c.variant, c.model, c.paramsIndex)), i));
  });
});

void describe('summariseStatus', () => {
  void it('puts in-flight states first, the most advanced winning', () => {
    assert.equal(summariseStatus(['done', 'queued', 'running']), 'running');
    assert.equal(summariseStatus(['done', 'loading', 'queued']), 'loading');
    assert.equal(summariseStatus(['done', 'queued']), 'queued');
  });

  void it('then failed, cancelled, cached only when all were, else done', () => {
    assert.equal(summariseStatus(['done', 'failed', 'cancelled']), 'failed');
    assert.equal(summariseStatus(['done', 'cancelled']), 'cancelled');
    assert.equal(summariseStatus(['cached', 'cached']), 'cached');
    assert.equal(summariseStatus(['cached', 'done']), 'done');
    assert.equal(summariseStatus([]), 'queued');
  });

  void it('returns one of the statuses it was given', () => {
    const status = fc.constantFrom<CellStatus>('queued', 'loading', 'running', 'done', 'cached', 'failed', 'cancelled');
    fc.assert(fc.property(fc.array(status, { minLength: 1, maxLength: 6 }), (list) => list.includes(summariseStatus(list))));
  });
});

void describe('answers and filters', () => {
  void it('compares answers with whitespace normalised', () => {
    assert.equal(normaliseAnswer('  Positive.\n\n  The   end \t'), 'Positive. The end');
    assert.equal(answersDiffer(['a b', 'a b', 'a b']), false);
    assert.equal(answersDiffer(['a b', 'a  c']), true);
    assert.equal(answersDiffer([]), false);
  });

  void it('keeps rows by failure and by difference, in order', () => {
    const flags = [
      { failed: false, differs: false },
      { failed: true, differs: false },
      { failed: true, differs: true },
      { failed: false, differs: true },
    ];
    const at = (row: number): { failed: boolean; differs: boolean } => flags[row];
    assert.deepEqual(filterRows(4, { failedOnly: false, differingOnly: false }, at), [0, 1, 2, 3]);
    assert.deepEqual(filterRows(4, { failedOnly: true, differingOnly: false }, at), [1, 2]);
    assert.deepEqual(filterRows(4, { failedOnly: false, differingOnly: true }, at), [2, 3]);
    assert.deepEqual(filterRows(4, { failedOnly: true, differingOnly: true }, at), [2]);
  });

  void it('does not read the flags when no filter is on', () => {
    assert.deepEqual(filterRows(3, { failedOnly: false, differingOnly: false }, () => assert.fail('flags read')), [0, 1, 2]);
  });
});

void describe('virtual window', () => {
  void it('covers the viewport plus the overscan, clamped to the items', () => {
    assert.deepEqual(visibleSpan(0, 500, 100, 1000, 2), { start: 0, end: 7 });
    assert.deepEqual(visibleSpan(1050, 500, 100, 1000, 2), { start: 8, end: 18 });
    assert.deepEqual(visibleSpan(99_950, 500, 100, 1000, 2), { start: 997, end: 1000 });
    assert.deepEqual(visibleSpan(0, 500, 100, 0, 2), { start: 0, end: 0 });
  });

  void it('always contains every item that intersects the viewport', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 2000 }), (offset, viewport, size, count) => {
        const span = visibleSpan(offset, viewport, size, count, 0);
        assert.ok(span.start >= 0 && span.end <= count && span.start <= span.end);
        for (let i = 0; i < count; i++) {
          const intersects = i * size < offset + viewport && (i + 1) * size > offset;
          if (intersects) assert.ok(i >= span.start && i < span.end, `item ${i} missing from ${JSON.stringify(span)}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  void it('scrolls as little as possible to reveal an item', () => {
    assert.equal(revealOffset(0, 400, 100, 100), 0);
    assert.equal(revealOffset(0, 400, 500, 100), 200);
    assert.equal(revealOffset(800, 400, 300, 100), 300);
  });
});

void describe('moveInGrid', () => {
  const extent = { rows: 10, columns: 4, pageRows: 3 };

  void it('moves by arrows and clamps at the edges', () => {
    assert.deepEqual(moveInGrid({ row: 0, column: 0 }, 'ArrowDown', extent), { row: 1, column: 0 });
    assert.deepEqual(moveInGrid({ row: 0, column: 0 }, 'ArrowUp', extent), { row: 0, column: 0 });
    assert.deepEqual(moveInGrid({ row: 2, column: 3 }, 'ArrowRight', extent), { row: 2, column: 3 });
    assert.deepEqual(moveInGrid({ row: 2, column: 3 }, 'ArrowLeft', extent), { row: 2, column: 2 });
  });

  void it('Home/End along the row, with Ctrl to the corners; PageUp/PageDown by a page', () => {
    assert.deepEqual(moveInGrid({ row: 5, column: 2 }, 'Home', extent), { row: 5, column: 0 });
    assert.deepEqual(moveInGrid({ row: 5, column: 2 }, 'End', extent), { row: 5, column: 3 });
    assert.deepEqual(moveInGrid({ row: 5, column: 2 }, 'Home', extent, true), { row: 0, column: 0 });
    assert.deepEqual(moveInGrid({ row: 5, column: 2 }, 'End', extent, true), { row: 9, column: 3 });
    assert.deepEqual(moveInGrid({ row: 5, column: 2 }, 'PageDown', extent), { row: 8, column: 2 });
    assert.deepEqual(moveInGrid({ row: 8, column: 2 }, 'PageDown', extent), { row: 9, column: 2 });
    assert.deepEqual(moveInGrid({ row: 1, column: 2 }, 'PageUp', extent), { row: 0, column: 2 });
  });

  void it('ignores other keys and empty grids, and clamps a stale position', () => {
    assert.equal(moveInGrid({ row: 0, column: 0 }, 'x', extent), undefined);
    assert.equal(moveInGrid({ row: 0, column: 0 }, 'ArrowDown', { rows: 0, columns: 4, pageRows: 3 }), undefined);
    assert.deepEqual(moveInGrid({ row: 40, column: 9 }, 'ArrowUp', extent), { row: 8, column: 3 });
  });
});

void describe('previewText', () => {
  void it('drops Markdown markers and collapses whitespace', () => {
    assert.equal(previewText('## Summary\n\nRevenue grew **12%** to *$4.1M*.\n\n- a\n- `b`'), 'Summary Revenue grew 12% to $4.1M. • a • b');
    assert.equal(previewText('```ts\nconst a = 1;\n```'), 'const a = 1;');
    assert.equal(previewText('> quoted\n\n| a | b |\n|---|:-:|\n| 1 | 2 |'), 'quoted | a | b | | 1 | 2 |');
  });

  void it('keeps text that only looks like markers', () => {
    assert.equal(previewText('window.__pwned = snake_case_name * 2'), 'window.__pwned = snake_case_name * 2');
    assert.equal(previewText('<script>x</script>'), '<script>x</script>');
  });

  void it('cuts long answers with an ellipsis, reading only their start', () => {
    const preview = previewText('word '.repeat(100_000), 50);
    assert.equal(preview.length, 50);
    assert.ok(preview.endsWith('…'));
  });
});

void describe('cellKeyAttribute', () => {
  void it('makes a readable attribute from a grid cell key, escaping / and %', () => {
    assert.equal(cellKeyAttribute('\u0000qwen3:8b\u00002\u00000'), '/qwen3:8b/2/0');
    assert.equal(cellKeyAttribute('a/b%\u0000m\u00001\u00000'), 'a%2Fb%25/m/1/0');
  });
});

void describe('sweep wording', () => {
  void it('says progress, shape, consistency and parameter points', () => {
    assert.equal(progressText({ total: 120, done: 23, cached: 12, failed: 2, cancelled: 0 }), '37 of 120 · 12 cached · 2 failed');
    assert.equal(progressText({ total: 10_000, done: 0, cached: 0, failed: 0, cancelled: 0 }), '0 of 10,000');
    assert.equal(sweepShape(2, 2, 3, 1, 1), '2 variants × 2 models × 3 cases');
    assert.equal(sweepShape(1, 1, 1, 2, 3), '1 variant × 1 model × 1 case × 2 parameter points × 3 repeats');
    assert.equal(consistencyText({ key: 'k', answers: 3, distinct: 2, similarity: 0.8666 }, 3), '3 runs · 2 distinct · 87% similar');
    assert.equal(consistencyText(undefined, 3), '3 runs');
    assert.equal(paramsLabel({ temperature: 0.7, seed: 42 }), 't=0.7 · seed 42');
    assert.equal(paramsLabel({}), '');
    assert.equal(variantLabel(''), 'base');
    assert.equal(variantLabel('base'), 'base');
  });

  void it('counts the words a diff removes and adds', () => {
    assert.deepEqual(diffWordCounts([{ value: 'keep this ' }, { value: 'old words', removed: true }, { value: 'three new words', added: true }, { value: '  ', added: true }]), { removed: 2, added: 3 });
  });
});
