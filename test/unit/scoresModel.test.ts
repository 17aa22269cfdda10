import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ScoresView } from '../../src/core/protocol';
import {
  changeSummary, knownHalfWidth, modelTable, rankLabel, regressionText, scoreFraction, scoreInterval, scoreLabel, shareHighText, signed, strengthBound, strengthFraction, strengthLabel, strengthTicks, variantRows,
  winRateDescription, winRateText,
} from '../../webview/scoresModel';

type Change = NonNullable<ScoresView['change']>;
const change = (over: Partial<Change> = {}): Change => ({ parent: 'concise', child: 'concise-2', difference: 0.8, halfWidth: 0.5, distinguishable: true, nParent: 18, nChild: 18, ...over });

void describe('score labels', () => {
  void it('"4.1 ± 0.3 (n = 18)", and without an interval below 2 ratings', () => {
    assert.equal(scoreLabel({ mean: 4.11, halfWidth: 0.31, n: 18 }), '4.1 ± 0.3 (n = 18)');
    assert.equal(scoreLabel({ mean: 4, n: 1 }), '4.0 (n = 1)');
    assert.equal(scoreLabel({ mean: 3, halfWidth: null as unknown as number, n: 2 }), '3.0 (n = 2)', 'Infinity arrives as null through JSON');
  });

  void it('ties before ranks; the base prompt is "base"', () => {
    assert.equal(rankLabel({ rank: 2, tiedWith: ['', 'formal'] }), 'tied with base, formal');
    assert.equal(rankLabel({ rank: 1, tiedWith: [] }), 'rank 1');
    assert.equal(rankLabel({}), '');
  });

  void it('clamps the interval to the 1–5 scale and places values on it', () => {
    assert.deepEqual(scoreInterval({ mean: 4.8, halfWidth: 0.5 }), { low: 4.3, high: 5 });
    assert.deepEqual(scoreInterval({ mean: 1.1, halfWidth: 0.4 }), { low: 1, high: 1.5 });
    assert.equal(scoreInterval({ mean: 3 }), undefined);
    assert.deepEqual([1, 3, 5, 0, 9].map(scoreFraction), [0, 0.5, 1, 0, 1]);
    assert.equal(knownHalfWidth(Infinity), undefined);
    assert.equal(knownHalfWidth(-1), undefined);
  });

  void it('splits the overall rows from the per-model table', () => {
    const scores = {
      variants: [
        { variant: 'b', n: 4, mean: 3, shareHigh: 0.5 },
        { variant: '', n: 4, mean: 2, shareHigh: 0 },
        { variant: 'b', model: 'm1', n: 2, mean: 3, shareHigh: 0.5 },
        { variant: '', model: 'm2', n: 2, mean: 2, shareHigh: 0 },
      ],
    };
    assert.deepEqual(variantRows(scores).map((v) => v.variant), ['b', '']);
    const table = modelTable(scores);
    assert.deepEqual([table.variants, table.models], [['b', ''], ['m1', 'm2']]);
    assert.equal(table.cell('b', 'm1')?.mean, 3);
    assert.equal(table.cell('b', 'm2'), undefined);
    assert.equal(shareHighText(0.724), '72% rated 4–5');
  });
});

void describe('the change of an accepted rewrite', () => {
  void it('"better" or "worse" only when the data can tell', () => {
    assert.deepEqual(changeSummary(change()), { text: 'concise-2 vs concise: +0.8 ± 0.5 — better', outcome: 'better', detail: 'on the cases both were rated on: n = 18 vs 18' });
    assert.equal(changeSummary(change({ difference: -0.7 })).text, 'concise-2 vs concise: −0.7 ± 0.5 — worse');
    assert.equal(changeSummary(change({ distinguishable: false, difference: 0.3, halfWidth: 0.6 })).outcome, 'cannot tell yet');
  });

  void it('never claims a winner from too few ratings (an infinite interval, null after JSON)', () => {
    for (const halfWidth of [Infinity, null as unknown as number]) {
      const summary = changeSummary(change({ parent: '', child: 'clarify', halfWidth, difference: 1.7, distinguishable: true, nParent: 2, nChild: 2 }));
      assert.equal(summary.outcome, 'cannot tell yet');
      assert.equal(summary.text, 'clarify vs base: +1.7 (too few ratings for an interval) — cannot tell yet');
    }
  });

  void it('lists regressions as "case · model: parent → child"', () => {
    assert.equal(regressionText({ caseLabel: 'case 2: Essay', model: 'llama3.2', parentScore: 5, childScore: 2 }), 'case 2: Essay · llama3.2: 5 → 2');
  });

  void it('signs with a real minus, and no sign on zero', () => {
    assert.deepEqual([signed(0.84, 1), signed(-0.26, 1), signed(-0.01, 1), signed(0, 2)], ['+0.8', '−0.3', '0.0', '0.00']);
  });
});

void describe('the strengths chart', () => {
  void it('a symmetric axis that covers every interval, at least ±1', () => {
    assert.equal(strengthBound([]), 1);
    assert.equal(strengthBound([{ logStrength: 0.8, low: 0.2, high: 1.43 }]), 1.5);
    assert.equal(strengthBound([{ logStrength: -2.2, low: -3.1, high: -1 }]), 4);
    assert.equal(strengthBound([{ logStrength: 0, low: -Infinity, high: 0.3 }]), 1, 'infinite ends are ignored');
  });

  void it('ticks every 0.5 on a small axis, whole numbers on a wider one', () => {
    assert.deepEqual(strengthTicks(1.5).map((t) => t.label), ['−1.5', '−1', '−0.5', '0', '+0.5', '+1', '+1.5']);
    assert.deepEqual(strengthTicks(3).map((t) => t.value), [-3, -2, -1, 0, 1, 2, 3]);
    assert.deepEqual(strengthTicks(6).map((t) => t.value), [-6, -4, -2, 0, 2, 4, 6]);
  });

  void it('places 0 in the middle and keeps every value inside the track', () => {
    assert.equal(strengthFraction(0, 2), 0.5);
    fc.assert(fc.property(fc.double({ noNaN: true }), fc.double({ min: 0.5, max: 20, noNaN: true }), (v, bound) => {
      const f = strengthFraction(v, bound);
      return f >= 0 && f <= 1;
    }));
    assert.equal(strengthLabel({ player: 'x', logStrength: 0.62, low: -0.1, high: 1.34, comparisons: 14 }), '+0.62 (−0.10 to +1.34) · 14 comparisons');
  });

  void it('win rates in words, "—" when never compared', () => {
    assert.deepEqual([winRateText(0.724), winRateText(null), winRateText(undefined), winRateText(1.2)], ['72%', '—', '—', '100%']);
    assert.equal(winRateDescription('base', 'concise', null), 'base and concise were never compared');
    assert.equal(winRateDescription('base', 'concise', 0.25), 'base won 25% of its blind comparisons with concise (ties count half)');
  });
});
