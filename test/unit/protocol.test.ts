import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseWebviewMessage } from '../../src/core/protocol';

describe('webview message validation', () => {
  it('accepts well-formed messages and drops fields the protocol does not name', () => {
    const parsed = parseWebviewMessage({ type: 'rate', requestId: 3, answerKey: 'ab12', score: 4, comment: 'good', tags: ['concise'], extra: '<script>' });
    assert.deepEqual(parsed, { ok: true, message: { type: 'rate', requestId: 3, answerKey: 'ab12', score: 4, comment: 'good', tags: ['concise'] } });
    assert.equal(parseWebviewMessage({ type: 'blindVerdict', requestId: 1, pairId: 'p', winner: 'tie' }).ok, true);
    assert.equal(parseWebviewMessage({ type: 'ready', requestId: 0 }).ok, true);
  });

  it('rejects what is malformed, with the field named', () => {
    const bad: [unknown, RegExp][] = [
      [null, /not an object/],
      [[], /not an object/],
      [{ type: 'nope', requestId: 1 }, /unknown type/],
      [{ type: 'rate', requestId: 1.5, answerKey: 'k', score: 3 }, /requestId/],
      [{ type: 'rate', requestId: 1, answerKey: 'k', score: 6 }, /score/],
      [{ type: 'rate', requestId: 1, answerKey: 'k', score: 2.5 }, /score/],
      [{ type: 'rate', requestId: 1, answerKey: '', score: 3 }, /answerKey/],
      [{ type: 'rate', requestId: 1, answerKey: 'k', score: 3, tags: 'a,b' }, /tags/],
      [{ type: 'rate', requestId: 1, answerKey: 'k', score: 3, comment: 'x'.repeat(10_001) }, /comment/],
      [{ type: 'blindVerdict', requestId: 1, pairId: 'p', winner: 'both' }, /winner/],
      [{ type: 'suggestionAction', requestId: 1, suggestionId: 's', action: 'eval' }, /action/],
      [{ type: 'copyCell', requestId: 1, sweepId: 's' }, /cellId/],
      [{ type: '__proto__', requestId: 1 }, /unknown type/],
    ];
    for (const [raw, reason] of bad) {
      const result = parseWebviewMessage(raw);
      assert.equal(result.ok, false, JSON.stringify(raw)?.slice(0, 80));
      if (!result.ok) assert.match(result.reason, reason);
    }
  });

  it('never throws, whatever arrives (fuzzed)', () => {
    const types = ['ready', 'rate', 'clearRating', 'blindVerdict', 'suggestionAction', 'copyCell', 'openLink', 'constructor', 'toString'];
    const message = fc.record(
      { type: fc.oneof(fc.constantFrom(...types), fc.string()), requestId: fc.oneof(fc.integer(), fc.double(), fc.string()), answerKey: fc.anything(), score: fc.anything(), tags: fc.anything(), winner: fc.anything(), pairId: fc.anything() },
      { requiredKeys: [] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(message, fc.anything()), (raw) => {
        const result = parseWebviewMessage(raw);
        if (result.ok) {
          accepted++;
          assert.ok(types.includes(result.message.type));
        }
      }),
      { numRuns: 5000 },
    );
    assert.ok(accepted > 0, 'some fuzzed messages were valid, so the property saw both paths');
  });
});
