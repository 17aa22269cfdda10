import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ChatResponse } from 'ollama';
import type { ChatClient } from '../../src/core/ollamaClient';
import { classifyOllamaError, formatBytes, metricsFromFinalChunk, normalizeHost, resolveOllamaHost, streamChat } from '../../src/core/ollamaClient';

test('host: setting wins, then OLLAMA_HOST in its loose forms, then the default', () => {
  assert.equal(resolveOllamaHost('http://gpu-box:11434', '0.0.0.0'), 'http://gpu-box:11434');
  assert.equal(resolveOllamaHost(undefined, '0.0.0.0'), 'http://127.0.0.1:11434');
  assert.equal(resolveOllamaHost('', 'myhost:9999'), 'http://myhost:9999');
  assert.equal(resolveOllamaHost(undefined, undefined), 'http://127.0.0.1:11434');
  assert.equal(normalizeHost('https://ollama.internal/'), 'https://ollama.internal');
  assert.equal(normalizeHost('10.0.0.5'), 'http://10.0.0.5:11434');
});

test('metrics come from the final chunk (nanoseconds → ms, tokens/s)', () => {
  const metrics = metricsFromFinalChunk({ prompt_eval_count: 30, eval_count: 50, eval_duration: 2_000_000_000, load_duration: 1_500_000_000, done_reason: 'stop' });
  assert.deepEqual(metrics, { promptTokens: 30, answerTokens: 50, loadMs: 1500, doneReason: 'stop', tokensPerSecond: 25 });
});

test('errors become kinds a user can act on', () => {
  const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  assert.equal(classifyOllamaError(refused, 'http://h:1', 'm').kind, 'unreachable');
  assert.match(classifyOllamaError(refused, 'http://h:1', 'm').message, /http:\/\/h:1/);
  const missing = Object.assign(new Error('model "x" not found, try pulling it first'), { status_code: 404 });
  assert.equal(classifyOllamaError(missing, 'h', 'x').kind, 'modelMissing');
  assert.equal(classifyOllamaError(new Error('Did not receive done or success response in stream.'), 'h', 'x').kind, 'cut');
  assert.equal(classifyOllamaError(Object.assign(new Error('boom'), { status_code: 500 }), 'h', 'x').kind, 'server');
  assert.equal(formatBytes(2_019_393_189), '2.0 GB');
});

function fakeClient(chunks: Partial<ChatResponse>[], opts: { throwAfter?: Error; delayMs?: number } = {}): ChatClient {
  return {
    chat: () => {
      const controller = new AbortController();
      async function* iterate(): AsyncGenerator<ChatResponse> {
        for (const chunk of chunks) {
          if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
          if (controller.signal.aborted) throw new Error('This operation was aborted');
          yield chunk as ChatResponse;
        }
        if (opts.throwAfter) throw opts.throwAfter;
      }
      const iterable = iterate();
      return Promise.resolve(Object.assign(iterable, { abort: () => controller.abort() }));
    },
  };
}

const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

test('streamChat: text arrives in order, metrics from the done chunk', async () => {
  const seen: string[] = [];
  const outcome = await streamChat(
    fakeClient([{ message: { role: 'assistant', content: 'Hel' } }, { message: { role: 'assistant', content: 'lo' } }, { done: true, message: { role: 'assistant', content: '' }, eval_count: 2, eval_duration: 1e9, prompt_eval_count: 5 }]),
    request,
    { onText: (t) => seen.push(t) },
    { host: 'h' },
  );
  assert.equal(outcome.status, 'done');
  assert.equal(outcome.text, 'Hello');
  assert.deepEqual(seen, ['Hel', 'lo']);
  assert.equal(outcome.metrics.answerTokens, 2);
  assert.equal(outcome.metrics.tokensPerSecond, 2);
  assert.ok(outcome.metrics.ttftMs !== undefined && outcome.metrics.totalMs !== undefined);
});

test('streamChat: a cut stream keeps the partial answer and says so', async () => {
  const outcome = await streamChat(fakeClient([{ message: { role: 'assistant', content: 'partial' } }], { throwAfter: new Error('Did not receive done or success response in stream.') }), request, { onText: () => undefined }, { host: 'h' });
  assert.equal(outcome.status, 'failed');
  assert.equal(outcome.text, 'partial');
  assert.equal(outcome.error?.kind, 'cut');
  assert.match(outcome.error?.message ?? '', /partial answer is kept/);
});

test('streamChat: stopping keeps the text so far; an idle stream times out', async () => {
  const controller = new AbortController();
  const many = Array.from({ length: 50 }, () => ({ message: { role: 'assistant', content: 'x' } }));
  const stopped = await streamChat(fakeClient(many, { delayMs: 2 }), request, { onText: (_t) => { if (!controller.signal.aborted) controller.abort(); } }, { host: 'h', signal: controller.signal });
  assert.equal(stopped.status, 'stopped');
  assert.ok(stopped.text.length >= 1 && stopped.text.length < 50);

  const stalled = await streamChat(fakeClient(many.slice(0, 2), { delayMs: 200 }), request, { onText: () => undefined }, { host: 'h', idleTimeoutMs: 50 });
  assert.equal(stalled.status, 'failed');
  assert.equal(stalled.error?.kind, 'timeout');
});
