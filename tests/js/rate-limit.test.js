// The official `openai` npm SDK meets a gateway rate limit as it meets OpenAI's own: a RateLimitError with status 429,
// and, when it may retry, a wait of the Retry-After the gateway sent before the call that then passes.
// Run by tests/AiGateway.Tests/Quota/RateLimitSdkTests.cs against a gateway whose route `sdk-limited` has RpmLimit 6
// (a burst of 6, then a request every 10 s: no test step takes that long, so an empty bucket stays empty meanwhile).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { RateLimitError } from 'openai';
import { gatewayUrl, uniquePrompt } from './gateway.js';

const route = { 'x-aigw-route': 'sdk-limited' };
const apiKey = `sk-node-rate-${Date.now()}`;

async function drain() {
  // Spend the burst until the gateway refuses: the bucket is then empty for the next 10 s.
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...route },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: uniquePrompt('drain') }] }),
    });
    await response.arrayBuffer();
    if (response.status === 429) return;
  }
}

test('a gateway rate limit is a RateLimitError, and the SDK waits its Retry-After before the retry that passes', async () => {
  await drain();
  const noRetry = new OpenAI({ apiKey, baseURL: `${gatewayUrl}/v1`, defaultHeaders: route, maxRetries: 0 });
  const refused = await noRetry.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: uniquePrompt('refused') }] })
    .then(() => null, (error) => error);
  assert.ok(refused instanceof RateLimitError, `expected a RateLimitError, got ${refused}`);
  assert.equal(refused.status, 429);
  assert.equal(refused.code, 'rate_limit_exceeded');
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1, `Retry-After ${refused.headers.get('retry-after')}`);

  let attempts = 0;
  const counting = async (url, init) => {
    attempts++;
    return fetch(url, init);
  };
  const retrying = new OpenAI({ apiKey, baseURL: `${gatewayUrl}/v1`, defaultHeaders: route, maxRetries: 5, fetch: counting });
  await drain();
  const started = Date.now();
  const completion = await retrying.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: uniquePrompt('passes') }] });
  assert.ok(completion.choices[0].message.content.length > 0);
  assert.ok(attempts >= 2, `the SDK made ${attempts} attempt(s)`);
  // A lower bound: the SDK waited at least what the gateway asked before it tried again.
  assert.ok(Date.now() - started >= retryAfter * 1000 - 1000, `passed after ${Date.now() - started} ms`);
});
