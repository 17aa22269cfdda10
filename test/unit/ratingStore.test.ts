import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RatingView } from '../../src/core/protocol';
import { parseTags, ratingAnnouncement, ratingKey, ratingStatusText, RatingStore, sameRating, tagsText, withScore } from '../../webview/ratingStore';

const view = (answerKey: string, score: number, extra: Partial<RatingView> = {}): RatingView => ({ answerKey, score, updatedAt: 1, ...extra });

void describe('RatingStore', () => {
  void it('shows the host’s ratings from a state, and forgets those a new state no longer has', () => {
    const store = new RatingStore();
    assert.deepEqual([...store.load([view('a', 4, { comment: 'ok' }), view('b', 2)])].sort(), ['a', 'b']);
    assert.deepEqual(store.shown('a'), { rating: { score: 4, comment: 'ok' }, saving: false });
    const changed = store.load([view('b', 3)]);
    assert.deepEqual([...changed].sort(), ['a', 'b']);
    assert.deepEqual(store.shown('a'), { rating: undefined, saving: false });
    assert.equal(store.shown('b').rating?.score, 3);
  });

  void it('shows a change at once, marked as saving, until the host’s ratings message confirms it', () => {
    const store = new RatingStore();
    store.load([view('a', 4)]);
    store.propose(1, 'a', { score: 2 });
    assert.deepEqual(store.shown('a'), { rating: { score: 2 }, saving: true });
    store.applyHost([view('a', 2)]);
    assert.deepEqual(store.shown('a'), { rating: { score: 2 }, saving: false });
    assert.equal(store.acknowledge(1), undefined, 'already settled by the ratings message');
    assert.equal(store.pendingCount, 0);
  });

  void it('reply before the ratings message: keeps showing the change until the message comes', () => {
    const store = new RatingStore();
    store.load([view('a', 4)]);
    store.propose(1, 'a', { score: 2 });
    assert.equal(store.acknowledge(1), 'a');
    assert.deepEqual(store.shown('a'), { rating: { score: 2 }, saving: true });
    store.applyHost([view('a', 2)]);
    assert.deepEqual(store.shown('a'), { rating: { score: 2 }, saving: false });
  });

  void it('two quick changes (2 then 5): the confirmation of 2 never flashes 2 back, in either order', () => {
    for (const replyFirst of [false, true]) {
      const store = new RatingStore();
      store.load([view('a', 4)]);
      store.propose(1, 'a', { score: 2 });
      store.propose(2, 'a', { score: 5 });
      if (replyFirst) store.acknowledge(1);
      store.applyHost([view('a', 2)]);
      if (!replyFirst) store.acknowledge(1);
      assert.deepEqual(store.shown('a'), { rating: { score: 5 }, saving: true }, `reply first: ${replyFirst}`);
      if (replyFirst) store.acknowledge(2);
      assert.equal(store.shown('a').rating?.score, 5, `reply first: ${replyFirst}`);
      store.applyHost([view('a', 5)]);
      if (!replyFirst) store.acknowledge(2);
      assert.deepEqual(store.shown('a'), { rating: { score: 5 }, saving: false });
      assert.equal(store.pendingCount, 0);
    }
  });

  void it('an error reply rolls the change back to what the host has', () => {
    const store = new RatingStore();
    store.load([view('a', 5, { comment: 'great' })]);
    store.propose(7, 'a', { score: 3, comment: 'great' });
    assert.equal(store.shown('a').rating?.score, 3);
    assert.equal(store.reject(7), 'a');
    assert.deepEqual(store.shown('a'), { rating: { score: 5, comment: 'great' }, saving: false });
    assert.equal(store.reject(7), undefined, 'unknown requests are ignored');
  });

  void it('a clear shows "not rated" at once and settles with the host’s `removed`', () => {
    const store = new RatingStore();
    store.load([view('a', 4)]);
    store.propose(1, 'a', null);
    assert.deepEqual(store.shown('a'), { rating: undefined, saving: true });
    store.applyHost([], ['a']);
    assert.deepEqual(store.shown('a'), { rating: undefined, saving: false });
    assert.equal(store.pendingCount, 0);
  });

  void it('the host’s copy wins when it saved something slightly different (a tidied comment)', () => {
    const store = new RatingStore();
    store.propose(1, 'a', { score: 3, comment: 'too  long' });
    store.applyHost([view('a', 3, { comment: 'too long' })]);
    assert.equal(store.shown('a').saving, true, 'not matched yet');
    store.acknowledge(1);
    assert.deepEqual(store.shown('a'), { rating: { score: 3, comment: 'too long' }, saving: false });
  });

  void it('changes to one answer never touch another', () => {
    const store = new RatingStore();
    store.load([view('a', 4), view('b', 1)]);
    store.propose(1, 'a', { score: 2 });
    store.applyHost([view('b', 5)]);
    assert.deepEqual(store.shown('a'), { rating: { score: 2 }, saving: true });
    assert.deepEqual(store.shown('b'), { rating: { score: 5 }, saving: false });
  });
});

void describe('rating helpers', () => {
  void it('parses comma-separated tags: trimmed, blanks and repeats (any case) dropped', () => {
    assert.deepEqual(parseTags(' too long,  invents numbers ,, Too Long, json '), { ok: true, tags: ['too long', 'invents numbers', 'json'] });
    assert.deepEqual(parseTags(''), { ok: true, tags: [] });
    assert.equal(tagsText(['a', 'b c']), 'a, b c');
  });

  void it('refuses what the protocol would refuse: over 20 tags, a tag over 64 characters', () => {
    const many = parseTags(Array.from({ length: 21 }, (_, i) => `t${i}`).join(','));
    assert.equal(many.ok, false);
    const long = parseTags(`ok, ${'x'.repeat(65)}`);
    assert.ok(!long.ok && long.error.includes('64'));
    assert.equal(parseTags('x'.repeat(64)).ok, true);
  });

  void it('maps keys 1–5 to scores and 0 to clear; nothing else', () => {
    assert.deepEqual(['1', '3', '5', '0', '6', 'a', 'F1', ''].map(ratingKey), [1, 3, 5, 'clear', undefined, undefined, undefined, undefined]);
  });

  void it('keeps the comment and tags when only the score changes (a rate replaces the whole rating)', () => {
    assert.deepEqual(withScore({ score: 2, comment: 'c', tags: ['t'] }, 5), { score: 5, comment: 'c', tags: ['t'] });
    assert.deepEqual(withScore(undefined, 4), { score: 4 });
  });

  void it('compares ratings by score, trimmed comment and tags', () => {
    assert.ok(sameRating({ score: 3, comment: ' x ' }, { score: 3, comment: 'x', tags: [] }));
    assert.ok(!sameRating({ score: 3 }, { score: 4 }));
    assert.ok(!sameRating({ score: 3, tags: ['a'] }, { score: 3, tags: ['b'] }));
    assert.ok(sameRating(null, undefined));
    assert.ok(!sameRating(null, { score: 1 }));
  });

  void it('says what the bar shows', () => {
    assert.equal(ratingStatusText({ rating: undefined, saving: false }), 'Not rated');
    assert.equal(ratingStatusText({ rating: { score: 4 }, saving: true }), 'Saving…');
    assert.equal(ratingStatusText({ rating: undefined, saving: true }), 'Clearing…');
    assert.equal(ratingStatusText({ rating: { score: 4, comment: 'c', tags: ['a', 'b'] }, saving: false }), 'Saved · comment · 2 tags');
    assert.equal(ratingAnnouncement({ score: 2, comment: 'x', tags: ['json'] }), 'Rated 2 of 5, with a comment, tags: json');
  });
});
