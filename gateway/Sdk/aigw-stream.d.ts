// Types of aigw-stream.js, the AiGateway stream client (GET /sdk/aigw-stream.js; these types at GET /sdk/aigw-stream.d.ts).
//
// How a stream survives the network:
// - Every event the gateway streams carries `id: <response>:<n>`. On a network error, a stream that ends before its
//   final event, or an error event with a resumable code, the client waits (backoff) and repeats the same request with
//   `Last-Event-ID: <last complete event>` and `x-aigw-resume-attempt: <n>`; the gateway sends exactly the events after
//   it, from whichever instance the request reaches. No token is lost and none arrives twice.
// - After the last reconnect fails it sends the request once more with `stream: false`, the same `Last-Event-ID` and
//   `x-aigw-fallback: non-stream`. A gateway that answers it from the same generation says so with the response header
//   `x-aigw-dedupe: resumer`: only the text after what was already emitted is emitted. Any other answer is a fresh
//   generation: `onMessageReset` is called, then its whole text is emitted from the start.
//
// Error codes (the `code` of the OpenAI-shaped error event the gateway ends a failed stream with):
// - resumed like a network break: `dedupe_wait_exceeded` (the answer goes on; only this reader's wait limit passed);
// - straight to the fallback, since a resume would replay the same failure: `upstream_stream_error`, `leader_lost`,
//   `gateway_error`, `upstream_unreachable`, `upstream_timeout`, `upstream_unavailable`;
// - final (the message fails, `onError` is called, `final` rejects): `stream_cancelled` (no reader was left, or the
//   call was released), `cancelled` (an operator cancelled it), and every error of the upstream's own.
// HTTP answers: 408, 409, 429 and 5xx are tried again (unless `x-should-retry: false`; `Retry-After` is honoured up to
// `maxDelayMs`), 404 `resume_not_found` goes to the fallback, any other status fails the message.

/** Reconnect settings. */
export interface AigwRetryOptions {
  /** Reconnects after the first attempt, in all, for one message. Default 3; 0 goes to the fallback at the first break. */
  attempts?: number;
  /** Wait before the first reconnect, doubled for each next one ("equal jitter": half fixed, half random). Default 250 ms. */
  baseDelayMs?: number;
  /** Longest single wait, also the cap on a `Retry-After`. Default 4000 ms. */
  maxDelayMs?: number;
}

/** The default retry settings: the three waits add up to at most 1.75 s, far inside the gateway's 10 s resume grace. */
export declare const DEFAULT_RETRY: Readonly<Required<AigwRetryOptions>>;

/** One tool call, in the chat completions shape (a Responses `function_call` item is given the same shape). */
export interface AigwToolCall {
  /** The call id (`call_id` of a Responses `function_call` item). */
  id: string | null;
  type: 'function' | string;
  function: { name: string; arguments: string };
}

/** What `onMessageStart` receives, at the first event of the message. */
export interface AigwMessageStart {
  /** The upstream's id (`chatcmpl-…`, `resp_…`). */
  id: string | null;
  model: string | null;
  /** `x-aigw-request-id` of the request that brought the first event. */
  requestId: string | null;
}

/** What `onMessageReset` receives: the text emitted so far is void, the message starts over. */
export interface AigwMessageReset {
  /** Why: the fallback was answered by a fresh generation, not the one the stream had begun. */
  reason: 'fresh-generation';
  /** The text emitted before the reset, now discarded. */
  discarded: string;
}

/** The whole message, as `final` resolves it and `onMessageEnd` receives it. */
export interface AigwFinalMessage {
  /** The message text: every token emitted (since the last reset). */
  text: string;
  /** `stop`, `length`, `tool_calls`, `content_filter` …; null when the message was stopped. */
  finishReason: string | null;
  /** Tool calls, when the model made any; empty otherwise. */
  toolCalls: AigwToolCall[];
  /** The usage the API sent (chat completions' or the Responses API's shape), or null. */
  usage: Record<string, unknown> | null;
  /** What the call cost, as the gateway reported it (the `: x-aigw-cost-usd=` comment or header): an exact decimal string. */
  costUsd: string | null;
  /** The upstream's id of the message (`chatcmpl-…`, `resp_…`). */
  id: string | null;
  model: string | null;
  /** `x-aigw-request-id` of the last request made for the message. */
  requestId: string | null;
  /** How many reconnects the message took. */
  reconnects: number;
  /** `none`; `same-generation` when the fallback completed the streamed generation; `fresh` when it was a new one. */
  fallback: 'none' | 'same-generation' | 'fresh';
  /** True when `stop()` ended the message: `text` is what had arrived. */
  stopped: boolean;
}

/** The error that ends a message: the gateway's or the upstream's OpenAI-shaped error, or a network failure. */
export declare class AigwStreamError extends Error {
  /** The HTTP status, when the error came as a status rather than as an error event. */
  status: number | null;
  code: string | null;
  type: string | null;
  param: string | null;
  /** `x-aigw-request-id` of the request that failed. */
  requestId: string | null;
}

export interface OpenAIStreamOptions {
  /** The gateway's root, e.g. `https://gateway.example`; a trailing `/v1` is accepted. Default: the page's origin. */
  baseURL?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** More request headers, e.g. `x-aigw-route`, `x-aigw-customer`. */
  headers?: Record<string, string> | Headers | [string, string][];
  /** Each piece of text as it arrives (chat `choices[0].delta.content`, Responses `response.output_text.delta`). */
  onToken?: (token: string) => void;
  onMessageStart?: (start: AigwMessageStart) => void;
  onMessageEnd?: (message: AigwFinalMessage) => void;
  /** The fallback was a fresh generation: drop the text shown so far; the new text follows from its start. */
  onMessageReset?: (reset: AigwMessageReset) => void;
  /** The message failed for good (not called for an abort through `signal` nor for `stop()`). */
  onError?: (error: AigwStreamError) => void;
  /** Aborts the message: `final` rejects with the signal's reason, and the reader is released as by `stop()`. */
  signal?: AbortSignal;
  retry?: AigwRetryOptions;
  /** Set false to fail the message instead of sending the non-streamed fallback. Default true. */
  fallback?: boolean;
  /** The `fetch` to use. Default: the global one. */
  fetch?: typeof fetch;
}

export interface AigwStream {
  /**
   * The tokens as they arrive. After an `onMessageReset` it goes on with the new message's whole text, so a reader
   * that must show exactly the message should handle the reset (or use `final`). Cancelling it is `stop()`.
   */
  stream: ReadableStream<string>;
  /** The whole message; resolves even when `stream` is never read. Rejects with an {@link AigwStreamError} on failure. */
  final: Promise<AigwFinalMessage>;
  /**
   * Stops the message ("stop generating"): aborts the request, resolves `final` with what arrived (`stopped: true`),
   * and releases this reader (`POST {baseURL}/api/inflight/{x-aigw-request-id}/release` with the same key), so the
   * gateway cancels the upstream call at once when no other reader is left. A 404 from a gateway without that
   * endpoint is ignored; the promise never rejects.
   */
  stop(): Promise<void>;
}

/**
 * Streams one chat completion (a body with `messages`, sent to `/v1/chat/completions`) or one response (a body with
 * `input`, sent to `/v1/responses`). `stream: true` is forced; for chat, `stream_options.include_usage` is set unless
 * the body sets `stream_options` itself.
 */
export declare function openAIStream(body: Record<string, unknown>, options?: OpenAIStreamOptions): AigwStream;

export interface AigwFetchOptions {
  retry?: AigwRetryOptions;
  /** The `fetch` underneath. Default: the global one. */
  fetch?: typeof fetch;
}

/**
 * Makes a `fetch` for the official OpenAI SDK (`new OpenAI({ fetch: createAigwFetch() })`). A streamed JSON POST whose
 * answer is `text/event-stream` gets a body that, when the connection breaks mid-way, reconnects with `Last-Event-ID`
 * and splices the continuation in, event for event, so the SDK's iterator never sees the break. It does not fall back
 * to a non-streamed request (the SDK expects a stream); after the last reconnect the break reaches the SDK. Everything
 * else passes through untouched. When the SDK aborts an unfinished stream, the reader is released as by `stop()`.
 */
export declare function createAigwFetch(options?: AigwFetchOptions): typeof fetch;

/** {@link createAigwFetch} with the defaults: `new OpenAI({ fetch: aigwFetch })`. */
export declare const aigwFetch: typeof fetch;
