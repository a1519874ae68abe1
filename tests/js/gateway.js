// What the tests share: the gateway under test (started by NodeSdkTests.cs in front of ops/mock-openai) and the
// mock's deterministic reply, so a test knows the whole text it must end up with.
import { randomUUID } from 'node:crypto';

/** The gateway's root URL, e.g. http://127.0.0.1:41234. */
export const gatewayUrl = (() => {
  const url = process.env.AIGW_GATEWAY_URL;
  if (!url) {
    throw new Error('AIGW_GATEWAY_URL is not set: these tests run against a real gateway; run them through '
      + 'tests/AiGateway.Tests/Sdk/NodeSdkTests.cs (dotnet test --filter NodeSdkTests), which starts one.');
  }

  return url.replace(/\/+$/, '');
})();

/** Enough content chunks that a cut after a few hundred bytes lands mid-stream. */
export const chunks = 24;

/** Headers that make the mock upstream stream `chunks` content chunks (x-mock-* headers go upstream untouched). */
export const mockHeaders = { 'x-mock-chunks': String(chunks) };

/** A prompt no other test sends, so no cache entry or in-flight call of another test is involved. */
export function uniquePrompt(label) {
  return `${label} ${randomUUID()}`;
}

/** The mock's reply to a prompt of at most 200 characters. */
export function expectedReply(prompt) {
  return `Echo: ${prompt}`;
}
