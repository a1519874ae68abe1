// The official `openai` npm SDK with `aigwFetch` as its fetch: a stream cut mid-way by the network is resumed
// underneath it, and the SDK's own iterator yields the whole answer, once, from one generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { aigwFetch } from '../../gateway/Sdk/aigw-stream.js';
import { startCuttingRelay } from './cutting-relay.js';
import { expectedReply, gatewayUrl, mockHeaders, uniquePrompt } from './gateway.js';

function client(relay, fetch) {
  return new OpenAI({ apiKey: 'sk-node-sdk', baseURL: `${relay.url}/v1`, fetch, maxRetries: 0, defaultHeaders: mockHeaders });
}

async function readChat(stream) {
  let text = '';
  let finish = null;
  const ids = new Set();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }

  return { text, finish, ids };
}

test('chat completions: a stream cut mid-way completes through the SDK iterator with the whole text', async () => {
  const relay = await startCuttingRelay(gatewayUrl, { cuts: 1, afterBytes: 900 });
  try {
    const prompt = uniquePrompt('sdk chat');
    const stream = await client(relay, aigwFetch).chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], stream: true,
    });

    const { text, finish, ids } = await readChat(stream);

    assert.equal(relay.cutsMade, 1, 'the relay cut the stream');
    assert.equal(text, expectedReply(prompt));
    assert.equal(finish, 'stop');
    assert.equal(ids.size, 1, 'every chunk is of the same upstream completion');
  } finally {
    await relay.close();
  }
});

test('chat completions: without aigwFetch the same cut breaks the SDK iterator (the relay really cuts)', async () => {
  const relay = await startCuttingRelay(gatewayUrl, { cuts: 1, afterBytes: 900 });
  try {
    const prompt = uniquePrompt('sdk chat plain');
    const stream = await client(relay, globalThis.fetch).chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], stream: true,
    });

    await assert.rejects(readChat(stream));
    assert.equal(relay.cutsMade, 1);
  } finally {
    await relay.close();
  }
});

test('responses: a stream cut mid-way completes through the SDK iterator with the whole text', async () => {
  const relay = await startCuttingRelay(gatewayUrl, { cuts: 1, afterBytes: 2600 });
  try {
    const prompt = uniquePrompt('sdk responses');
    const stream = await client(relay, aigwFetch).responses.create({ model: 'gpt-4o-mini', input: prompt, stream: true });

    let text = '';
    let created = null;
    let completed = null;
    const items = new Set();
    for await (const event of stream) {
      if (event.type === 'response.created') created = event.response;
      if (event.type === 'response.output_text.delta') {
        text += event.delta;
        items.add(event.item_id);
      }

      if (event.type === 'response.completed') completed = event.response;
    }

    assert.equal(relay.cutsMade, 1, 'the relay cut the stream');
    assert.equal(text, expectedReply(prompt));
    assert.ok(completed, 'response.completed arrived');
    assert.equal(completed.id, created.id, 'one upstream response from start to end');
    assert.equal(completed.output_text ?? completed.output[0].content[0].text, expectedReply(prompt));
    assert.equal(items.size, 1);
  } finally {
    await relay.close();
  }
});

test('non-streamed requests pass through aigwFetch untouched', async () => {
  const relay = await startCuttingRelay(gatewayUrl, { cuts: 0 });
  try {
    const prompt = uniquePrompt('sdk plain');
    const completion = await client(relay, aigwFetch).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });

    assert.equal(completion.choices[0].message.content, expectedReply(prompt));
  } finally {
    await relay.close();
  }
});
