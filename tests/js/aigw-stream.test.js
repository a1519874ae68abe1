// openAIStream in Node against the real gateway: cuts mid-way are resumed (no token lost, none twice), a stream that
// keeps breaking ends in the non-streamed fallback, errors end it once, and stop() releases its reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AigwStreamError, openAIStream } from '../../gateway/Sdk/aigw-stream.js';
import { startCuttingRelay } from './cutting-relay.js';
import { expectedReply, gatewayUrl, mockHeaders, uniquePrompt } from './gateway.js';

// Records every request the client makes (method, path and the headers that matter here), then makes it.
function recordingFetch() {
  const calls = [];
  const fetch = (url, init = {}) => {
    const headers = init.headers ?? {};
    calls.push({
      method: init.method ?? 'GET',
      path: new URL(url).pathname,
      lastEventId: headers['last-event-id'] ?? null,
      attempt: headers['x-aigw-resume-attempt'] ?? null,
      fallback: headers['x-aigw-fallback'] ?? null,
      authorization: headers.authorization ?? null,
      stream: typeof init.body === 'string' ? JSON.parse(init.body).stream : undefined,
    });
    return globalThis.fetch(url, init);
  };
  return { calls, fetch };
}

// Collects what the callbacks saw.
function watcher() {
  const seen = { tokens: [], starts: 0, ends: [], resets: [], errors: [] };
  const callbacks = {
    onToken: (token) => seen.tokens.push(token),
    onMessageStart: () => seen.starts++,
    onMessageEnd: (message) => seen.ends.push(message),
    onMessageReset: (reset) => { seen.resets.push(reset); seen.tokens.length = 0; },
    onError: (error) => seen.errors.push(error),
  };
  return { seen, callbacks };
}

function position(eventId) {
  return Number(eventId.slice(eventId.lastIndexOf(':') + 1));
}

async function readAll(stream) {
  let text = '';
  for await (const token of stream) {
    assert.equal(typeof token, 'string');
    text += token;
  }

  return text;
}

test('chat: a cut mid-way is resumed with Last-Event-ID, every token exactly once', async () => {
  const relay = await startCuttingRelay(gatewayUrl, { cuts: 1, afterBytes: 900 });
  const { calls, fetch } = recordingFetch();
  const { seen, callbacks } = watcher();
  try {
    const prompt = uniquePrompt('stream chat');
    const { stream, final } = openAIStream(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] },
      { baseURL: relay.url, apiKey: 'sk-node-stream', headers: mockHeaders, fetch, ...callbacks });

    const [streamed, message] = await Promise.all([readAll(stream), final]);

    assert.equal(relay.cutsMade, 1);
    assert.equal(streamed, expectedReply(prompt));
    assert.equal(seen.tokens.join(''), expectedReply(prompt));
    assert.equal(message.text, expectedReply(prompt));
    assert.equal(message.finishReason, 'stop');
    assert.equal(message.reconnects, 1);
    assert.equal(message.fallback, 'none');
    assert.ok(message.usage?.completion_tokens > 0, 'usage is on the final message');
    assert.match(message.costUsd, /^[0-9.]+$/, 'the cost comment is read');
    assert.equal(seen.starts, 1);
    assert.equal(seen.ends.length, 1);
    assert.deepEqual(seen.errors, []);
    assert.equal(calls.length, 2);
    assert.equal(calls[0].path, '/v1/chat/completions');
    assert.equal(calls[0].stream, true);
    assert.equal(calls[0].lastEventId, null);
    assert.match(calls[1].lastEventId, /^[0-9a-f]{16}:\d+$/);
    assert.equal(calls[1].attempt, '1');
    assert.equal(calls[1].authorization, 'Bearer sk-node-stream');
  } finally {
    await relay.close();
  }
});

test('responses: final resolves with the whole text though the stream is never read', async () => {
  const relay = await startCuttingRelay(gatewayUrl, { cuts: 2, afterBytes: 2600 });
  try {
    const prompt = uniquePrompt('stream responses');
    const { final } = openAIStream({ model: 'gpt-4o-mini', input: prompt }, { baseURL: `${relay.url}/v1`, headers: mockHeaders });

    const message = await final;

    assert.equal(relay.cutsMade, 2);
    assert.equal(message.text, expectedReply(prompt));
    assert.equal(message.finishReason, 'stop');
    assert.equal(message.reconnects, 2);
    assert.match(message.id, /^resp_/);
    assert.ok(message.usage?.output_tokens > 0);
  } finally {
    await relay.close();
  }
});

test('four cuts in a row end in one non-streamed fallback carrying Last-Event-ID; the text ends complete', async () => {
  const relay = await startCuttingRelay(gatewayUrl, { cuts: 4, afterBytes: 700 });
  const { calls, fetch } = recordingFetch();
  const { seen, callbacks } = watcher();
  try {
    const prompt = uniquePrompt('stream fallback');
    const { final } = openAIStream(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] },
      { baseURL: relay.url, headers: mockHeaders, fetch, retry: { baseDelayMs: 10 }, ...callbacks });

    const message = await final;

    assert.equal(relay.cutsMade, 4);
    assert.equal(message.text, expectedReply(prompt));
    assert.equal(seen.tokens.join(''), expectedReply(prompt), 'the tokens since the last reset are the whole text');
    assert.equal(calls.length, 5);
    assert.deepEqual(calls.slice(1, 4).map((c) => c.attempt), ['1', '2', '3']);
    const last = calls[4];
    assert.equal(last.fallback, 'non-stream');
    assert.equal(last.stream, false);
    assert.match(last.lastEventId, /^[0-9a-f]{16}:\d+$/);
    assert.ok(position(last.lastEventId) > position(calls[3].lastEventId), 'the last reconnect got further before its cut');
    // A gateway that answers the fallback from the same generation says so (x-aigw-dedupe: resumer) and only the rest
    // is emitted; otherwise it was a fresh call, and the app was told to start over first.
    if (message.fallback === 'same-generation') assert.equal(seen.resets.length, 0);
    else {
      assert.equal(message.fallback, 'fresh');
      assert.equal(seen.resets.length, 1);
      assert.ok(expectedReply(prompt).startsWith(seen.resets[0].discarded));
    }
  } finally {
    await relay.close();
  }
});

test('an upstream that breaks mid-stream goes straight to the fallback: a resume would replay the same failure', async () => {
  const { calls, fetch } = recordingFetch();
  const { seen, callbacks } = watcher();
  const prompt = uniquePrompt('stream upstream broke');
  const { final } = openAIStream(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] },
    { baseURL: gatewayUrl, headers: { ...mockHeaders, 'x-mock-drop-after-events': '6' }, fetch, ...callbacks });

  const message = await final;

  assert.equal(message.text, expectedReply(prompt));
  assert.equal(message.fallback, 'fresh');
  assert.equal(seen.resets.length, 1);
  assert.equal(calls.length, 2, 'no reconnect, one fallback');
  assert.equal(calls[1].fallback, 'non-stream');
});

test('an error the request itself causes ends the message once, with no retry', async () => {
  const { calls, fetch } = recordingFetch();
  const { seen, callbacks } = watcher();
  const { stream, final } = openAIStream(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: uniquePrompt('stream bad request') }] },
    { baseURL: gatewayUrl, headers: { 'x-mock-status': '400' }, fetch, ...callbacks });

  const error = await final.then(() => null, (e) => e);

  assert.ok(error instanceof AigwStreamError);
  assert.equal(error.status, 400);
  assert.equal(error.type, 'server_error');
  assert.equal(calls.length, 1);
  assert.deepEqual(seen.errors, [error]);
  await assert.rejects(readAll(stream));
});

test('stop() ends the message with what arrived and releases the reader with its request id', async () => {
  const { calls, fetch } = recordingFetch();
  const prompt = uniquePrompt('stream stop');
  let stopAfterFirstToken;
  const firstToken = new Promise((resolve) => { stopAfterFirstToken = resolve; });
  const { stream, final, stop } = openAIStream(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] },
    // A slow stream, so it is still running when stop() comes.
    { baseURL: gatewayUrl, apiKey: 'sk-node-stop', headers: { ...mockHeaders, 'x-mock-chunk-delay-ms': '200' }, fetch, onToken: () => stopAfterFirstToken() });

  await firstToken;
  await stop();
  const message = await final;
  const streamed = await readAll(stream);

  assert.equal(message.stopped, true);
  assert.ok(expectedReply(prompt).startsWith(message.text));
  assert.ok(message.text.length < expectedReply(prompt).length);
  assert.equal(streamed, message.text);
  const release = calls.at(-1);
  assert.equal(release.method, 'POST');
  assert.equal(release.path, `/api/inflight/${message.requestId}/release`);
  assert.equal(release.authorization, 'Bearer sk-node-stop');
});
