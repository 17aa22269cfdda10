import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Verdict } from '../../src/core/ratings/stats';
import { compareScores, fitBradleyTerry, rankScores, summarizeScores, tQuantile95, winProbability } from '../../src/core/ratings/stats';

const close = (actual: number, expected: number, tolerance: number, what: string) => assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);

describe('rating statistics', () => {
  it('mean, sd and the 95% interval match hand-computed values', () => {
    const s = summarizeScores([4, 5, 3, 4, 4])!;
    assert.equal(s.n, 5);
    assert.equal(s.mean, 4);
    close(s.sd, Math.SQRT1_2, 1e-12, 'sd');
    // t(0.975, 4) = 2.776; half-width = 2.776 × 0.7071 / √5 = 0.8779.
    close(s.halfWidth!, 0.8779, 5e-4, 'half-width');
    assert.equal(s.shareHigh, 0.8);
    const one = summarizeScores([5])!;
    assert.equal(one.halfWidth, undefined, 'one rating has no interval');
    assert.equal(summarizeScores([]), undefined);
    close(tQuantile95(1), 12.706, 1e-9, 't(1)');
    close(tQuantile95(60), 2.0, 0.002, 't(60)');
    close(tQuantile95(2.5), (4.303 + 3.182) / 2, 1e-9, 'interpolated');
  });

  it('intervals narrow as ratings accumulate', () => {
    const few = summarizeScores([3, 4, 5, 4])!;
    const many = summarizeScores([3, 4, 5, 4, 3, 4, 5, 4, 3, 4, 5, 4, 3, 4, 5, 4])!;
    assert.ok(many.halfWidth! < few.halfWidth! / 2, `${many.halfWidth} vs ${few.halfWidth}`);
  });

  it('"cannot tell apart" unless the interval of the difference excludes 0', () => {
    const good = summarizeScores([5, 5, 4, 5, 4, 5])!;
    const bad = summarizeScores([2, 3, 2, 1, 3, 2])!;
    const split = compareScores(good, bad);
    assert.equal(split.distinguishable, true);
    close(split.difference, 2.5, 1e-12, 'difference');
    assert.equal(compareScores(summarizeScores([3, 4, 5, 3, 4])!, summarizeScores([4, 3, 5, 4, 3])!).distinguishable, false, 'overlapping');
    assert.equal(compareScores(summarizeScores([5, 5])!, summarizeScores([1, 1])!).distinguishable, false, 'too few ratings');
    const ranked = rankScores([
      { key: 'base', summary: bad },
      { key: 'steps', summary: good },
      { key: 'concise', summary: summarizeScores([5, 4, 5, 5, 4, 4])! },
    ]);
    assert.deepEqual(ranked.map((r) => r.key), ['steps', 'concise', 'base']);
    assert.deepEqual(ranked[0].tiedWith, ['concise'], 'the leader is not told apart from the runner-up');
    assert.deepEqual(ranked[2].tiedWith, []);
  });
});

describe('Bradley–Terry', () => {
  function tournament(results: [string, string, number, number][]): Verdict[] {
    return results.flatMap(([a, b, winsA, winsB]) => [
      ...Array.from({ length: winsA }, () => ({ a, b, winner: 'a' as const })),
      ...Array.from({ length: winsB }, () => ({ a, b, winner: 'b' as const })),
    ]);
  }

  it('recovers the order of a constructed tournament, with intervals around each strength', () => {
    const fit = fitBradleyTerry(tournament([['A', 'B', 40, 10], ['B', 'C', 40, 10], ['A', 'C', 47, 3]]));
    const by = new Map(fit.strengths.map((s) => [s.player, s]));
    assert.ok(by.get('A')!.logStrength > by.get('B')!.logStrength && by.get('B')!.logStrength > by.get('C')!.logStrength);
    // With 50 games a pair the fit reproduces the observed rates closely (the weak prior shrinks a little).
    close(winProbability(by.get('A')!.logStrength, by.get('B')!.logStrength), 0.8, 0.05, 'P(A beats B)');
    close(fit.strengths.reduce((a, s) => a + s.logStrength, 0), 0, 1e-6, 'centred');
    for (const s of fit.strengths) assert.ok(s.low < s.logStrength && s.logStrength < s.high, `${s.player} interval`);
    assert.equal(fit.winRate[0][1], 0.8);
    assert.equal(by.get('A')!.comparisons, 100);
  });

  it('ties count half, an unbeaten player stays finite, and more games narrow the interval', () => {
    const ties = fitBradleyTerry([{ a: 'x', b: 'y', winner: 'tie' }, { a: 'x', b: 'y', winner: 'tie' }]);
    close(ties.strengths[0].logStrength, 0, 1e-6, 'tie strengths equal');
    const unbeaten = fitBradleyTerry(tournament([['x', 'y', 5, 0]]));
    assert.ok(Number.isFinite(unbeaten.strengths[0].logStrength) && unbeaten.strengths[0].logStrength > 0);
    const small = fitBradleyTerry(tournament([['x', 'y', 3, 2]]));
    const large = fitBradleyTerry(tournament([['x', 'y', 30, 20]]));
    const width = (f: typeof small) => f.strengths[0].high - f.strengths[0].low;
    assert.ok(width(large) < width(small) / 2);
    // Unrelated groups: a player never compared has winRate undefined against the others.
    const apart = fitBradleyTerry(tournament([['p', 'q', 2, 1]]), ['p', 'q', 'r']);
    assert.equal(apart.winRate[0][2], undefined);
  });
});
