import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { BlindAnswer } from '../../src/core/ratings/blind';
import { blindCandidates, blindModeFor, chooseBlindPair } from '../../src/core/ratings/blind';
import { computeScores, latestRatings, variantScoreLine, withRatingSummaries } from '../../src/core/ratings/scores';
import type { PairRecord, RatingRecord } from '../../src/core/store/records';

let clock = 0;
const rating = (variant: string, score: number, over: Partial<RatingRecord> = {}): RatingRecord => {
  clock++;
  return { id: `r${clock}`, answerKey: `a${clock}`, family: 'f', variant, model: 'm', caseKey: `c${clock % 5}`, score, createdAt: clock, updatedAt: clock, ...over };
};

describe('scores', () => {
  it('ranks variants, and the verdict names a winner only when the data can tell', () => {
    const clear = computeScores({ family: 'f', variants: ['', 'steps'], ratings: [...[2, 3, 2, 3, 2, 3].map((s) => rating('', s)), ...[5, 4, 5, 5, 4, 5].map((s) => rating('steps', s))] });
    assert.match(clear.verdict, /^steps is rated best/);
    const base = clear.variants.find((v) => v.variant === '' && v.model === undefined)!;
    assert.equal(base.rank, 2);
    assert.equal(base.n, 6);
    assert.equal(variantScoreLine(clear, 'steps'), '★ 4.7 ± 0.5 (n = 6) · 1st of 2 variants');

    const close = computeScores({ family: 'f', ratings: [...[3, 4, 5, 3].map((s) => rating('', s)), ...[4, 3, 5, 4].map((s) => rating('concise', s))] });
    assert.match(close.verdict, /^Cannot tell concise .* apart from base yet/);
    assert.match(variantScoreLine(close, '')!, /cannot tell from concise/);
    assert.match(computeScores({ family: 'f', ratings: [] }).verdict, /No ratings yet/);
  });

  it('a re-rating replaces the earlier one; per-model rows follow each variant', () => {
    const first = rating('', 1, { answerKey: 'same', updatedAt: 1 });
    const second = { ...first, score: 5, updatedAt: 2 };
    assert.deepEqual(latestRatings([second, first]).map((r) => r.score), [5]);
    const scores = computeScores({ family: 'f', ratings: [rating('', 4, { model: 'x' }), rating('', 2, { model: 'y' })] });
    assert.deepEqual(scores.variants.map((v) => [v.variant, v.model ?? '*', v.mean]), [['', '*', 3], ['', 'x', 4], ['', 'y', 2]]);
  });

  it('the change of an accepted rewrite counts only shared cases, and flags regressions', () => {
    const ratings = [
      ...['c1', 'c2', 'c3', 'c4'].map((caseKey, i) => rating('', [2, 2, 5, 3][i], { caseKey })),
      ...['c1', 'c2', 'c3', 'c4'].map((caseKey, i) => rating('clarify', [4, 5, 3, 4][i], { caseKey })),
      rating('clarify', 1, { caseKey: 'only-child' }),
    ];
    const scores = computeScores({ family: 'f', ratings, lineage: [{ family: 'f', variant: 'clarify', parent: '', suggestionId: 's1', createdAt: 5 }], caseLabels: new Map([['c3', 'case 3: tides']]) });
    assert.equal(scores.change?.child, 'clarify');
    assert.equal(scores.change?.nChild, 4, 'the unshared case is left out');
    assert.equal(scores.change?.difference, 1);
    assert.deepEqual(scores.regressions, [{ caseLabel: 'case 3: tides', model: 'm', parentScore: 5, childScore: 3 }]);
  });

  it('blind pairs give Bradley–Terry strengths and a win-rate matrix', () => {
    const pair = (l: string, r: string, winner: PairRecord['winner']): PairRecord => ({ id: `${clock++}`, family: 'f', caseKey: 'c', left: { answerKey: `${clock}l`, variant: l, model: 'm' }, right: { answerKey: `${clock}r`, variant: r, model: 'm' }, winner, createdAt: clock });
    const pairs = [pair('', 'v', 'right'), pair('v', '', 'left'), pair('', 'v', 'right'), pair('', 'v', 'tie')];
    const scores = computeScores({ family: 'f', ratings: [], pairs });
    const v = scores.strengths!.find((s) => s.player === 'v')!;
    assert.ok(v.logStrength > 0);
    const i = scores.winRate!.players.indexOf('v');
    assert.equal(scores.winRate!.rates[i][1 - i], 3.5 / 4);
  });

  it('sweep summaries get the mean score of their rated answers', () => {
    const summaries = withRatingSummaries(
      [{ variant: '', model: 'm', paramsIndex: 0, cells: 2, done: 2, failed: 0 }, { variant: '', cells: 2, done: 2, failed: 0 }],
      [{ variant: '', model: 'm', paramsIndex: 0, answerKey: 'k1' }, { variant: '', model: 'm', paramsIndex: 0, answerKey: 'k2' }],
      new Map([['k1', { score: 4 }], ['k2', { score: 2 }]]),
    );
    assert.deepEqual(summaries.map((s) => [s.meanScore, s.ratings]), [[3, 2], [3, 2]]);
  });
});

describe('blind pair choice', () => {
  const answer = (variant: string, caseIndex: number, text: string, model = 'm'): BlindAnswer => ({ answerKey: `${variant}-${model}-${caseIndex}`, variant, model, caseKey: `c${caseIndex}`, caseIndex, paramsIndex: 0, repeat: 0, text });
  const answers = [answer('', 0, 'one'), answer('v', 0, 'two'), answer('w', 0, 'three'), answer('', 1, 'same'), answer('v', 1, 'same  ')];

  it('pairs answers to the same case from different variants, skipping identical texts and judged pairs', () => {
    assert.equal(blindModeFor(answers), 'variants');
    assert.equal(blindModeFor([answer('', 0, 'a', 'x'), answer('', 0, 'b', 'y')]), 'models');
    const candidates = blindCandidates(answers, 'variants', []);
    assert.equal(candidates.length, 3, 'case 0: three pairs; case 1: identical texts');
    const judged: PairRecord[] = [{ id: 'p', family: 'f', caseKey: 'c0', left: { answerKey: '-m-0', variant: '', model: 'm' }, right: { answerKey: 'v-m-0', variant: 'v', model: 'm' }, winner: 'left', createdAt: 1 }];
    assert.equal(blindCandidates(answers, 'variants', judged).length, 2);
  });

  it('prefers the least-compared players, then the closest scores, and balances sides', () => {
    const candidates = blindCandidates(answers, 'variants', []);
    const judged: PairRecord[] = [{ id: 'p', family: 'f', caseKey: 'c9', left: { answerKey: 'x', variant: '', model: 'm' }, right: { answerKey: 'y', variant: 'v', model: 'm' }, winner: 'left', createdAt: 1 }];
    const means = new Map([['', 4], ['v', 2], ['w', 3.9]]);
    const choice = chooseBlindPair(candidates, judged, 'variants', (p) => means.get(p), () => 0.5)!;
    const chosen = [choice.left.variant, choice.right.variant].sort();
    assert.deepEqual(chosen, ['', 'w'], 'base–v was compared already; base–w is closest');
    assert.equal(choice.right.variant, '', 'base was on the left before, so it goes right');
    let left = 0;
    for (let i = 0; i < 200; i++) if (chooseBlindPair([candidates[1]], [], 'variants', () => undefined)!.left === candidates[1].a) left++;
    assert.ok(left > 60 && left < 140, `random sides when balanced: ${left}/200 left`);
  });
});
