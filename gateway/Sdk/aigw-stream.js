// aigw-stream.js: the AiGateway stream client. One ES module, no build step, no dependencies: fetch, ReadableStream,
// TextDecoder and AbortController only, so it runs as it is in browsers and in Node >= 18.
// Served by the gateway at GET /sdk/aigw-stream.js; its types are at GET /sdk/aigw-stream.d.ts.
//
// Every event the gateway streams carries `id: <response>:<n>`. When a stream breaks, the client repeats the same
// request with `Last-Event-ID` set to the last complete event it saw and gets exactly the events after it, from
// whichever gateway instance it reaches (CONTRACT §6 "Resume", §10.6).

/** Reconnect defaults: the sum of the three waits (at most 1.75 s) stays far inside the gateway's resume grace
 * (Gateway:Resume:GraceSeconds, 10 s by default), after which a stream no client reads is cancelled upstream. */
export const DEFAULT_RETRY = Object.freeze({ attempts: 3, baseDelayMs: 250, maxDelayMs: 4000 });

// Error codes the gateway writes into a stream's final error event, by what a client should do about them.
// A follower's wait limit passed while the answer goes on: resuming picks it up where it was.
const RESUME_CODES = new Set(['dedupe_wait_exceeded']);
// The answer itself failed (upstream broke off, its producing instance was lost, the gateway failed, or the upstream
// could not be reached after the gateway's own retries). A resume would replay the same failure, so the client goes
// straight to its non-streamed fallback, which the gateway answers as a fresh call.
const FALLBACK_CODES = new Set(['upstream_stream_error', 'leader_lost', 'gateway_error', 'upstream_unreachable', 'upstream_timeout', 'upstream_unavailable']);
// Everything else ends the message for good: `stream_cancelled` (no reader was left, or it was released),
// `cancelled` (an operator cancelled the call), and every error of the upstream's own (a bad request stays bad).

// HTTP statuses worth another try, as the official SDKs retry them; `x-should-retry` overrides (CONTRACT §10.1, §10.4).
const RETRY_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504]);

const CHAT_PATH = '/v1/chat/completions';
const RESPONSES_PATH = '/v1/responses';

/** An error that ended a stream: the gateway's or the upstream's OpenAI-shaped error, or a network failure. */
export class AigwStreamError extends Error {
  constructor(message, { status = null, code = null, type = null, param = null, requestId = null, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AigwStreamError';
    this.status = status;
    this.code = code;
    this.type = type;
    this.param = param;
    this.requestId = requestId;
  }
}

/**
 * Streams one chat completion (`body.messages`) or response (`body.input`) through the gateway, surviving broken
 * connections: returns `{ stream, final, stop }` at once.
 */
export function openAIStream(body, options = {}) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TypeError('openAIStream: body must be the request object of /v1/chat/completions or /v1/responses.');
  }

  const path = endpointOf(body);
  const root = gatewayRoot(options.baseURL);
  const retry = resolveRetry(options.retry);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const kind = path === CHAT_PATH ? 'chat' : 'responses';
  const streamBody = { ...body, stream: true };
  if (kind === 'chat' && streamBody.stream_options === undefined) {
    // Asks for the usage chunk, so `final.usage` is filled; the gateway asks the upstream for it anyway.
    streamBody.stream_options = { include_usage: true };
  }

  const fallbackBody = { ...body, stream: false };
  delete fallbackBody.stream_options;

  let tokenController;
  const stream = new ReadableStream({
    start(controller) { tokenController = controller; },
    // A reader that cancels the token stream no longer wants the message: the same as stop().
    cancel() { return stop(); },
  });

  let resolveFinal;
  let rejectFinal;
  const final = new Promise((resolve, reject) => { resolveFinal = resolve; rejectFinal = reject; });
  // `final` may never be awaited (the app reads `stream` only): a rejection must not become an unhandled one.
  final.catch(() => {});

  const state = {
    message: newMessage(),
    emitted: '',
    lastEventId: null,
    requestId: null,
    reconnects: 0,
    started: false,
    settled: false,
    stopped: false,
    attempt: null, // the AbortController of the request in flight
    wake: null, // wakes a backoff wait early on stop or abort
  };

  const headers = requestHeaders(options);

  function settle() {
    if (state.settled) return false;
    state.settled = true;
    return true;
  }

  function emit(text) {
    if (!text) return;
    state.emitted += text;
    try { tokenController.enqueue(text); } catch { /* the stream was cancelled: stop() handles it */ }
    call(options.onToken, text);
  }

  function succeed(message) {
    if (!settle()) return;
    const result = { ...message, text: state.emitted, requestId: state.requestId, reconnects: state.reconnects };
    try { tokenController.close(); } catch { /* already cancelled */ }
    call(options.onMessageEnd, result);
    resolveFinal(result);
  }

  function fail(error) {
    if (!settle()) return;
    try { tokenController.error(error); } catch { /* already cancelled */ }
    call(options.onError, error);
    rejectFinal(error);
  }

  function abortCurrent(reason) {
    state.attempt?.abort(reason);
    state.wake?.();
  }

  async function stop() {
    if (state.settled) return;
    state.stopped = true;
    const requestId = state.requestId;
    abortCurrent(abortError('The stream was stopped.'));
    if (settle()) {
      const result = { ...state.message, text: state.emitted, requestId, reconnects: state.reconnects, stopped: true };
      try { tokenController.close(); } catch { /* already cancelled */ }
      call(options.onMessageEnd, result);
      resolveFinal(result);
    }

    await release(fetchImpl, root, requestId, headers);
  }

  const signal = options.signal;
  if (signal) {
    const onAbort = () => {
      const requestId = state.requestId;
      state.stopped = true;
      abortCurrent(signal.reason);
      if (settle()) {
        const error = signal.reason ?? abortError('The operation was aborted.');
        try { tokenController.error(error); } catch { /* already cancelled */ }
        rejectFinal(error);
      }

      void release(fetchImpl, root, requestId, headers);
    };
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  const events = {
    onEvent(event) {
      if (!state.started) {
        state.started = true;
        const first = startInfo(kind, event.json);
        if (first.id) state.message.id = first.id;
        if (first.model) state.message.model = first.model;
        call(options.onMessageStart, { id: state.message.id, model: state.message.model, requestId: state.requestId });
      }

      emit(kind === 'chat' ? foldChatChunk(state.message, event.json) : foldResponsesEvent(state.message, event));
    },
    onCost(cost) { state.message.costUsd = cost; },
  };

  void run();
  return { stream, final, stop };

  async function run() {
    try {
      while (!state.stopped) {
        const outcome = await attemptStream();
        if (state.stopped || state.settled) return;
        if (outcome.done) {
          succeed(state.message);
          return;
        }

        if (outcome.fatal) {
          fail(outcome.error);
          return;
        }

        const resumable = state.lastEventId !== null || state.emitted === '' && !state.started;
        if (outcome.fallback || !resumable || state.reconnects >= retry.attempts) {
          if (options.fallback === false) {
            fail(outcome.error);
            return;
          }

          await fallback(outcome.error);
          return;
        }

        state.reconnects++;
        await backoff(retry, state.reconnects, outcome.retryAfterMs, state);
      }
    } catch (error) {
      if (!state.stopped) fail(asStreamError(error, state.requestId));
    }
  }

  // One streamed request; says whether the message is complete, must be resumed, must fall back, or failed for good.
  async function attemptStream() {
    const controller = linkedController(signal);
    state.attempt = controller;
    const attemptHeaders = { ...headers, accept: 'text/event-stream' };
    if (state.lastEventId !== null) attemptHeaders['last-event-id'] = state.lastEventId;
    if (state.reconnects > 0) attemptHeaders['x-aigw-resume-attempt'] = String(state.reconnects);

    let response;
    try {
      response = await fetchImpl(root + path, { method: 'POST', headers: attemptHeaders, body: JSON.stringify(streamBody), signal: controller.signal });
    } catch (error) {
      return { error: asStreamError(error, null) };
    }

    state.requestId = response.headers.get('x-aigw-request-id') ?? state.requestId;
    if (!response.ok) return classifyStatus(response, await readError(response), state.lastEventId !== null);

    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.includes('text/event-stream')) {
      // Not a stream after all (a server that ignores `stream`): take the answer as the fallback would.
      const json = await response.json();
      adoptWhole(kind === 'chat' ? chatMessage(json) : responsesMessage(json), false, response);
      return { done: true };
    }

    let outcome = null;
    const parser = new SseParser(
      (event) => {
        if (outcome) return;
        const error = eventError(kind, event);
        if (error) {
          outcome = classifyCode(error, state.requestId);
          return;
        }

        if (event.id !== null) state.lastEventId = event.id;
        events.onEvent(event);
        if (isTerminal(kind, event)) outcome = { done: true };
      },
      (comment) => {
        const cost = /^ ?x-aigw-cost-usd=(.*)$/.exec(comment);
        if (cost) events.onCost(cost[1].trim());
      });

    const reader = response.body.getReader();
    try {
      while (!outcome) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch (error) {
      if (!outcome) outcome = { error: asStreamError(error, state.requestId) };
      return outcome;
    }

    if (outcome) {
      // The message is complete (or failed) at its last event, and the gateway ends the response right after it: read
      // that end in the background rather than cancel, so the connection is not torn down (nor counted as a drop).
      void drain(reader);
      return outcome;
    }

    // The body ended without the terminal event and without an error event: the connection was cut.
    return { error: new AigwStreamError('The stream ended before its final event.', { requestId: state.requestId }) };
  }

  // The non-streamed request after the last failed reconnect (CONTRACT §10.6).
  async function fallback(cause) {
    const controller = linkedController(signal);
    state.attempt = controller;
    const fallbackHeaders = { ...headers, 'x-aigw-fallback': 'non-stream' };
    if (state.lastEventId !== null) fallbackHeaders['last-event-id'] = state.lastEventId;
    let response;
    try {
      response = await fetchImpl(root + path, { method: 'POST', headers: fallbackHeaders, body: JSON.stringify(fallbackBody), signal: controller.signal });
    } catch (error) {
      if (!state.stopped) fail(asStreamError(error, state.requestId, cause));
      return;
    }

    state.requestId = response.headers.get('x-aigw-request-id') ?? state.requestId;
    if (!response.ok) {
      fail(await readError(response));
      return;
    }

    const json = await response.json();
    if (state.stopped) return;
    adoptWhole(kind === 'chat' ? chatMessage(json) : responsesMessage(json), true, response);
    succeed(state.message);
  }

  // Takes a whole (non-streamed) answer: only its new part when it is the same generation, else all of it after a reset.
  function adoptWhole(message, isFallback, response) {
    const same = response.headers.get('x-aigw-dedupe') === 'resumer' && message.text.startsWith(state.emitted);
    if (!same && state.emitted !== '') {
      call(options.onMessageReset, { reason: 'fresh-generation', discarded: state.emitted });
      state.emitted = '';
    }

    const cost = response.headers.get('x-aigw-cost-usd');
    state.message = { ...message, costUsd: cost ?? state.message.costUsd, fallback: isFallback ? (same ? 'same-generation' : 'fresh') : 'none' };
    if (!state.started) {
      state.started = true;
      call(options.onMessageStart, { id: message.id, model: message.model, requestId: state.requestId });
    }

    emit(message.text.slice(state.emitted.length));
  }

  function call(callback, value) {
    if (typeof callback !== 'function') return;
    try {
      callback(value);
    } catch (error) {
      // An app's callback that throws must not break the stream it is watching.
      queueMicrotask(() => { throw error; });
    }
  }
}

/** A `fetch` for the official OpenAI SDK (`new OpenAI({ fetch: aigwFetch })`) that resumes dropped streams underneath it. */
export function createAigwFetch(options = {}) {
  const retry = resolveRetry(options.retry);
  return async function aigwFetch(input, init = {}) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const request = describe(input, init);
    const response = await fetchImpl(input, init);
    if (request === null || !response.ok || !response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      return response;
    }

    return new Response(resumingBody(fetchImpl, request, response, init, retry), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** {@link createAigwFetch} with the default retry settings and the global `fetch`. */
export const aigwFetch = createAigwFetch();

// --- aigwFetch internals -------------------------------------------------------------------------------------------

// The parts of a streamed JSON POST needed to repeat it; null for anything else, which passes through untouched.
function describe(input, init) {
  const method = (init.method ?? (isRequest(input) ? input.method : 'GET')).toUpperCase();
  if (method !== 'POST' || isRequest(input)) return null;
  let text;
  if (typeof init.body === 'string') text = init.body;
  else if (init.body instanceof Uint8Array || init.body instanceof ArrayBuffer) text = new TextDecoder().decode(init.body);
  else return null;
  let json;
  try { json = JSON.parse(text); } catch { return null; }
  if (json === null || typeof json !== 'object' || json.stream !== true) return null;
  const url = String(input instanceof URL ? input.href : input);
  return { url, text, kind: Array.isArray(json.messages) || json.prompt !== undefined ? 'chat' : 'responses' };
}

function isRequest(input) {
  return typeof Request !== 'undefined' && input instanceof Request;
}

// The response body the SDK reads: complete events only, passed on byte for byte; a break is repaired by a resume.
function resumingBody(fetchImpl, request, first, init, retry) {
  const encoder = new TextEncoder();
  const state = { lastEventId: null, forwarded: false, terminal: false, reconnects: 0, requestId: first.headers.get('x-aigw-request-id') };
  let reader = first.body.getReader();
  let pending = [];
  let breakError = null;
  let parser = newParser();

  function newParser() {
    return new SseParser((event) => {
      if (breakError) return;
      const error = eventError(request.kind, event);
      if (error && RESUME_CODES.has(error.code) && state.lastEventId !== null) {
        // Not passed on: the resume below continues the answer, and the SDK never sees this error.
        breakError = error;
        return;
      }

      if (event.id !== null) state.lastEventId = event.id;
      if (isTerminal(request.kind, event) || error) state.terminal = true;
      pending.push(event.raw);
    }, undefined, true);
  }

  // The SDK gave up on an unfinished answer (the app broke out of its loop, or aborted): let the gateway cancel it now
  // instead of after its resume grace ("stop generating" stops the bill).
  let released = false;
  function giveUp() {
    if (released || state.terminal) return;
    released = true;
    void release(fetchImpl, gatewayRootOf(request.url), state.requestId, headersOf(init.headers));
  }

  init.signal?.addEventListener('abort', giveUp, { once: true });
  return new ReadableStream({
    async pull(controller) {
      while (true) {
        let failure = null;
        if (!breakError) {
          try {
            const { done, value } = await reader.read();
            // An end without the final event is a break only in a resumable stream (one whose events have ids);
            // any other stream (a passthrough endpoint's, or a server that is not the gateway) ends as it ends.
            if (done) failure = state.terminal || state.lastEventId === null ? 'end' : new AigwStreamError('The stream ended before its final event.');
            else parser.push(value);
          } catch (error) {
            failure = error;
          }
        }

        if (pending.length > 0) {
          controller.enqueue(encoder.encode(pending.join('')));
          pending = [];
          state.forwarded = true;
          if (failure === null && !breakError) return;
        }

        failure ??= breakError;
        if (failure === null) continue;
        if (failure === 'end' || state.terminal) {
          controller.close();
          return;
        }

        const next = await reconnect(failure);
        if (next === null) {
          controller.error(failure);
          return;
        }

        reader.cancel().catch(() => {});
        reader = next.body.getReader();
        parser = newParser();
        breakError = null;
      }
    },
    cancel(reason) {
      giveUp();
      return reader.cancel(reason).catch(() => {});
    },
  });

  // Repeats the request with Last-Event-ID; null when the break cannot be repaired.
  async function reconnect(failure) {
    // Without an event id the stream is not resumable; repeating the request is safe only while nothing was passed on.
    while ((state.lastEventId !== null || !state.forwarded) && state.reconnects < retry.attempts && !init.signal?.aborted) {
      state.reconnects++;
      await backoff(retry, state.reconnects, failure?.retryAfterMs, { wake: null, signal: init.signal });
      const headers = headersOf(init.headers);
      if (state.lastEventId !== null) headers['last-event-id'] = state.lastEventId;
      headers['x-aigw-resume-attempt'] = String(state.reconnects);
      let response;
      try {
        response = await fetchImpl(request.url, { ...init, headers, body: request.text });
      } catch (error) {
        failure = error;
        continue;
      }

      state.requestId = response.headers.get('x-aigw-request-id') ?? state.requestId;
      if (response.ok && response.body && (response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
      const error = await readError(response);
      const outcome = classifyStatus(response, error, state.lastEventId !== null);
      if (outcome.fatal || outcome.fallback) return null;
      failure = outcome.error;
    }

    return null;
  }
}

// --- shared --------------------------------------------------------------------------------------------------------

/** Parses an SSE byte stream (WHATWG HTML §9.2) into complete events; a partial event at a break is never dispatched. */
class SseParser {
  constructor(onEvent, onComment, keepRaw = false) {
    this.onEvent = onEvent;
    this.onComment = onComment;
    this.keepRaw = keepRaw;
    this.decoder = new TextDecoder();
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.data = [];
    this.event = null;
    this.id = null;
    this.raw = [];
  }

  push(bytes) {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    let start = 0;
    while (true) {
      const lf = this.buffer.indexOf('\n', start);
      const cr = this.buffer.indexOf('\r', start);
      if (lf < 0 && cr < 0) break;
      let end;
      let next;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        // A lone CR ends a line too; a CR at the end of the buffer may be the first half of CRLF, so wait for more.
        if (cr === this.buffer.length - 1) break;
        end = cr;
        next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else {
        end = lf;
        next = lf + 1;
      }

      this.line(this.buffer.slice(start, end));
      start = next;
    }

    this.buffer = this.buffer.slice(start);
  }

  line(line) {
    if (line === '') {
      if (this.raw.length > 0 || this.data.length > 0 || this.event !== null || this.id !== null) {
        const raw = this.keepRaw ? this.raw.join('\n') + '\n\n' : '';
        const hasData = this.data.length > 0;
        const event = { event: this.event, id: this.id, data: this.data.join('\n'), raw };
        this.reset();
        if (hasData || event.event !== null) this.onEvent(withJson(event));
        else if (this.keepRaw && raw.length > 2) this.onEvent({ ...event, json: null, comment: true });
      }

      return;
    }

    if (this.keepRaw) this.raw.push(line);
    if (line[0] === ':') {
      this.onComment?.(line.slice(1));
      return;
    }

    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}

function withJson(event) {
  let json = null;
  if (event.data !== '' && event.data !== '[DONE]') {
    try { json = JSON.parse(event.data); } catch { json = null; }
  }

  return { ...event, json };
}

function isTerminal(kind, event) {
  if (event.comment) return false;
  if (kind === 'chat') return event.data === '[DONE]';
  const type = event.event ?? event.json?.type;
  return type === 'response.completed' || type === 'response.incomplete';
}

// The error an event carries, in OpenAI's shape; null for an ordinary event.
function eventError(kind, event) {
  if (event.comment || event.json === null || typeof event.json !== 'object') return null;
  const type = event.event ?? event.json.type;
  if (event.json.error && typeof event.json.error === 'object' && (kind === 'chat' || type === 'error' || type === undefined)) {
    return event.json.error;
  }

  if (kind === 'responses' && type === 'error') {
    return { message: event.json.message, code: event.json.code ?? null, type: 'server_error', param: event.json.param ?? null };
  }

  if (kind === 'responses' && type === 'response.failed') {
    const error = event.json.response?.error ?? {};
    return { message: error.message ?? 'The response failed.', code: error.code ?? null, type: 'server_error', param: null };
  }

  return null;
}

function classifyCode(error, requestId) {
  const streamError = new AigwStreamError(error.message ?? 'The stream failed.', { code: error.code ?? null, type: error.type ?? null, param: error.param ?? null, requestId });
  if (RESUME_CODES.has(error.code)) return { error: streamError };
  if (FALLBACK_CODES.has(error.code)) return { error: streamError, fallback: true };
  return { error: streamError, fatal: true };
}

function classifyStatus(response, error, resuming) {
  if (response.status === 404 && error.code === 'resume_not_found') {
    // The answer is no longer kept: only the fallback (a fresh call) can still complete the message.
    return { error, fallback: true };
  }

  const shouldRetry = response.headers.get('x-should-retry');
  const retryable = shouldRetry === 'true' || shouldRetry !== 'false' && RETRY_STATUSES.has(response.status);
  if (!retryable) return { error, fatal: true };
  error.retryAfterMs = retryAfterMs(response.headers);
  return { error, retryAfterMs: error.retryAfterMs, resuming };
}

async function readError(response) {
  const requestId = response.headers.get('x-aigw-request-id');
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  const error = body?.error && typeof body.error === 'object' ? body.error : {};
  return new AigwStreamError(error.message ?? `The gateway answered ${response.status} ${response.statusText}.`.replace(/ \.$/, '.'), {
    status: response.status, code: error.code ?? null, type: error.type ?? null, param: error.param ?? null, requestId,
  });
}

function retryAfterMs(headers) {
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

// "Equal jitter" backoff: half of the step fixed, half random, so reconnects of many clients spread out while each
// still waits a little (a gateway instance that just dropped thousands of streams is not hit by all at once).
function backoff(retry, reconnect, retryAfter, state) {
  const step = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (reconnect - 1));
  let delay = step / 2 + Math.random() * step / 2;
  if (retryAfter) delay = Math.max(delay, Math.min(retryAfter, retry.maxDelayMs));
  return new Promise((resolve) => {
    const timer = setTimeout(done, delay);
    function done() {
      clearTimeout(timer);
      state.signal?.removeEventListener('abort', done);
      if (state.wake === done) state.wake = null;
      resolve();
    }

    state.wake = done;
    state.signal?.addEventListener('abort', done, { once: true });
  });
}

function resolveRetry(retry) {
  retry ??= {};
  const attempts = retry.attempts ?? DEFAULT_RETRY.attempts;
  const baseDelayMs = retry.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  if (!Number.isInteger(attempts) || attempts < 0) throw new RangeError('retry.attempts must be a whole number, 0 or more.');
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= 0)) throw new RangeError('retry.baseDelayMs and retry.maxDelayMs must be 0 or more.');
  return { attempts, baseDelayMs, maxDelayMs };
}

// Lets the gateway know this reader is done, so an answer nobody reads any more is cancelled now, not after the resume
// grace. Best effort: a gateway without the in-flight API answers 404, which is ignored like any other failure.
async function release(fetchImpl, root, requestId, headers) {
  if (!requestId) return;
  try {
    const response = await fetchImpl(`${root}/api/inflight/${encodeURIComponent(requestId)}/release`, { method: 'POST', headers: identityHeaders(headers) });
    await response.body?.cancel();
  } catch {
    // Nothing to do: the gateway cancels an unread answer after its grace anyway.
  }
}

// The headers that say whose call it is (CONTRACT §10.6: the app's own key, same org and customer), nothing else.
function identityHeaders(headers) {
  const result = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'authorization' || name === 'x-aigw-customer') result[name] = value;
  }

  return result;
}

function requestHeaders(options) {
  const headers = { ...headersOf(options.headers), 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  return headers;
}

function headersOf(headers) {
  const result = {};
  if (!headers) return result;
  const entries = typeof headers.forEach === 'function' && !Array.isArray(headers)
    ? (() => { const list = []; headers.forEach((value, name) => list.push([name, value])); return list; })()
    : Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value !== undefined && value !== null) result[name.toLowerCase()] = String(value);
  }

  return result;
}

function endpointOf(body) {
  if (Array.isArray(body.messages)) return CHAT_PATH;
  if (body.input !== undefined) return RESPONSES_PATH;
  throw new TypeError('openAIStream: the body needs `messages` (chat completions) or `input` (responses).');
}

// The gateway's root: baseURL without a trailing slash or `/v1`, or the page's own origin in a browser.
function gatewayRoot(baseURL) {
  const base = baseURL ?? globalThis.location?.origin;
  if (!base) throw new TypeError('openAIStream: options.baseURL is required outside a browser page (e.g. "http://localhost:8080").');
  return String(base).replace(/\/+$/, '').replace(/\/v1$/, '');
}

function gatewayRootOf(url) {
  const parsed = new URL(url);
  const v1 = parsed.pathname.indexOf('/v1/');
  return parsed.origin + (v1 > 0 ? parsed.pathname.slice(0, v1) : '');
}

function linkedController(signal) {
  const controller = new AbortController();
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller;
}

function asStreamError(error, requestId, cause) {
  if (error instanceof AigwStreamError) return error;
  return new AigwStreamError(`The connection to the gateway failed: ${error?.message ?? error}`, { requestId, cause: cause ?? error });
}

// DOMException is global in browsers and in Node >= 17; the fallback keeps the module loadable anywhere else.
function abortError(message) {
  if (typeof DOMException === 'function') return new DOMException(message, 'AbortError');
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

async function drain(reader) {
  try {
    while (!(await reader.read()).done) { /* after the final event: nothing to use */ }
  } catch {
    // A break after the final event loses nothing.
  }
}

// --- messages ------------------------------------------------------------------------------------------------------

function newMessage() {
  return { id: null, model: null, text: '', finishReason: null, toolCalls: [], usage: null, costUsd: null, fallback: 'none', stopped: false };
}

function startInfo(kind, json) {
  if (!json) return {};
  if (kind === 'chat') return { id: json.id, model: json.model };
  const response = json.response ?? {};
  return { id: response.id, model: response.model };
}

// Folds one chat.completion.chunk into the message; returns the text to emit.
function foldChatChunk(message, json) {
  if (!json) return '';
  if (json.usage) message.usage = json.usage;
  const choice = Array.isArray(json.choices) ? json.choices.find((c) => (c.index ?? 0) === 0) : undefined;
  if (!choice) return '';
  if (choice.finish_reason) message.finishReason = choice.finish_reason;
  const delta = choice.delta ?? {};
  for (const call of delta.tool_calls ?? []) {
    const index = call.index ?? message.toolCalls.length;
    const target = message.toolCalls[index] ??= { id: null, type: 'function', function: { name: '', arguments: '' } };
    if (call.id) target.id = call.id;
    if (call.type) target.type = call.type;
    if (call.function?.name) target.function.name += call.function.name;
    if (call.function?.arguments) target.function.arguments += call.function.arguments;
  }

  return typeof delta.content === 'string' ? delta.content : '';
}

// Folds one Responses API event into the message; returns the text to emit.
function foldResponsesEvent(message, event) {
  const json = event.json;
  if (!json) return '';
  const type = event.event ?? json.type;
  if (type === 'response.output_text.delta') return typeof json.delta === 'string' ? json.delta : '';
  if (type === 'response.completed' || type === 'response.incomplete') {
    const whole = responsesMessage(json.response ?? {});
    message.finishReason = whole.finishReason;
    message.toolCalls = whole.toolCalls;
    message.usage = whole.usage;
    message.id = whole.id ?? message.id;
    message.model = whole.model ?? message.model;
  }

  return '';
}

function chatMessage(json) {
  const choice = json.choices?.find((c) => (c.index ?? 0) === 0) ?? {};
  const toolCalls = (choice.message?.tool_calls ?? []).map((call) => ({
    id: call.id ?? null, type: call.type ?? 'function', function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
  }));
  return {
    ...newMessage(), id: json.id ?? null, model: json.model ?? null, text: choice.message?.content ?? '', finishReason: choice.finish_reason ?? null, toolCalls, usage: json.usage ?? null,
  };
}

function responsesMessage(response) {
  let text = '';
  const toolCalls = [];
  for (const item of response.output ?? []) {
    if (item.type === 'message') {
      for (const part of item.content ?? []) {
        if (part.type === 'output_text' && typeof part.text === 'string') text += part.text;
      }
    } else if (item.type === 'function_call') {
      toolCalls.push({ id: item.call_id ?? item.id ?? null, type: 'function', function: { name: item.name ?? '', arguments: item.arguments ?? '' } });
    }
  }

  let finishReason = null;
  if (response.status === 'completed') finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  else if (response.status === 'incomplete') finishReason = response.incomplete_details?.reason === 'max_output_tokens' ? 'length' : response.incomplete_details?.reason ?? 'incomplete';
  return { ...newMessage(), id: response.id ?? null, model: response.model ?? null, text, finishReason, toolCalls, usage: response.usage ?? null };
}
