import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ChatResponse } from 'ollama';
import type { ChatClient } from '../../src/core/ollamaClient';
import type { HostToWebview } from '../../src/core/protocol';
import { RunSession } from '../../src/core/runSession';

/** A client whose models stream `tokens` tokens, one every `delayMs`, and count requests in flight. */
function countingClient(tokens: number, delayMs: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  const client: ChatClient = {
    chat: ({ model }) => {
      const controller = new AbortController();
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      async function* iterate(): AsyncGenerator<ChatResponse> {
        try {
          for (let i = 0; i < tokens; i++) {
            await new Promise((r) => setTimeout(r, delayMs));
            if (controller.signal.aborted) throw new Error('This operation was aborted');
            yield { message: { role: 'assistant', content: `${model}-${i} ` } } as ChatResponse;
          }
          yield { done: true, message: { role: 'assistant', content: '' }, eval_count: tokens, eval_duration: 1e9 } as ChatResponse;
        } finally {
          inFlight--;
        }
      }
      return Promise.resolve(Object.assign(iterate(), { abort: () => controller.abort() }));
    },
  };
  return { client, max: () => maxInFlight };
}

const spec = (models: string[]) => ({
  runId: 'r1',
  promptName: 'p',
  promptPath: '/p.prompt',
  inputLabel: 'defaults',
  input: {},
  messages: [{ role: 'user' as const, content: 'hi' }],
  options: {},
  targets: models.map((model) => ({ model, host: 'h' })),
});

test('streams every model, coalesces text into few messages, and ends with runFinished', async () => {
  const { client } = countingClient(40, 1);
  const messages: HostToWebview[] = [];
  const session = new RunSession(spec(['a', 'b']), { clientFor: () => client, parallelPerHost: 2, idleTimeoutMs: 0, emit: (m) => messages.push(m), flushIntervalMs: 30 });
  const view = await session.done;
  assert.deepEqual(view.answers.map((a) => a.status), ['done', 'done']);
  assert.ok(view.answers[0].text.startsWith('a-0 a-1 '));
  const chunkMessages = messages.filter((m) => m.type === 'chunks');
  assert.ok(chunkMessages.length < 40, `expected coalescing, got ${chunkMessages.length} chunk messages for 80 tokens`);
  // The text the panel received adds up to the answer.
  const received = chunkMessages.flatMap((m) => (m.type === 'chunks' ? m.chunks : [])).filter((c) => c.answerId === 'r1:0').map((c) => c.text ?? '').join('');
  assert.equal(received, view.answers[0].text);
  assert.equal(messages.at(-1)?.type, 'runFinished');
});

test('never has more requests in flight per host than allowed', async () => {
  const { client, max } = countingClient(5, 2);
  const session = new RunSession(spec(['a', 'b', 'c', 'd']), { clientFor: () => client, parallelPerHost: 1, idleTimeoutMs: 0, emit: () => undefined });
  await session.done;
  assert.equal(max(), 1);
});

test('stop keeps what arrived: streaming answers stop, queued ones never start', async () => {
  const { client } = countingClient(1000, 2);
  const session = new RunSession(spec(['a', 'b']), { clientFor: () => client, parallelPerHost: 1, idleTimeoutMs: 0, emit: () => undefined });
  await new Promise((r) => setTimeout(r, 60));
  session.stop();
  const view = await session.done;
  assert.equal(view.answers[0].status, 'stopped');
  assert.ok(view.answers[0].text.length > 0);
  assert.equal(view.answers[1].status, 'stopped');
  assert.equal(view.answers[1].text, '');
});
