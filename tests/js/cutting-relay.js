// A TCP relay in front of the gateway that breaks streams the way a flaky network or a proxy does: the next `cuts`
// event-stream responses that pass through it are cut after `afterBytes` bytes of their body (the client's connection
// is closed mid-way; the gateway sees its client leave). Everything else is relayed untouched.
import net from 'node:net';

// The header that tells an event stream from any other response; preceded by CRLF, so a script's text cannot match.
const MARKER = Buffer.from('\r\ncontent-type: text/event-stream', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

/** Starts a relay to `target` (a URL); `relay.url` is its address, `relay.cutsMade` how many responses it cut. */
export async function startCuttingRelay(target, { cuts = 1, afterBytes = 1000 } = {}) {
  const upstream = new URL(target);
  const relay = {
    cutsLeft: cuts,
    cutsMade: 0,
    url: '',
    sockets: new Set(),
    /** Cuts the next `count` event streams after `bytes` bytes of body. */
    cutNext(count, bytes = afterBytes) { this.cutsLeft = count; afterBytes = bytes; },
    close() {
      for (const socket of this.sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };

  const server = net.createServer((client) => {
    const gateway = net.connect(Number(upstream.port), upstream.hostname);
    relay.sockets.add(client);
    relay.sockets.add(gateway);
    client.on('close', () => { relay.sockets.delete(client); gateway.destroy(); });
    gateway.on('close', () => { relay.sockets.delete(gateway); client.destroy(); });
    client.on('error', () => gateway.destroy());
    gateway.on('error', () => client.destroy());
    client.pipe(gateway);

    // Per connection: looking for an event stream's headers, then for their end, then counting its body.
    let phase = 'scan';
    let seen = Buffer.alloc(0);
    let budget = 0;
    gateway.on('data', (chunk) => {
      if (phase === 'cut') return;
      if (phase === 'scan' || phase === 'headers') {
        seen = Buffer.concat([seen, chunk]);
        if (phase === 'scan') {
          const at = indexOfCaseless(seen, MARKER);
          if (at < 0) {
            client.write(chunk);
            seen = seen.subarray(Math.max(0, seen.length - MARKER.length));
            return;
          }

          if (relay.cutsLeft <= 0) {
            client.write(chunk);
            seen = Buffer.alloc(0);
            return;
          }

          relay.cutsLeft--;
          phase = 'headers';
          seen = seen.subarray(at);
        }

        const end = seen.indexOf(HEADER_END);
        if (end < 0) {
          client.write(chunk);
          seen = seen.subarray(Math.max(0, seen.length - HEADER_END.length));
          return;
        }

        // The chunk's bytes after the header block are body; the ones before pass whole.
        const bodyInChunk = seen.length - (end + HEADER_END.length);
        client.write(chunk.subarray(0, chunk.length - bodyInChunk));
        phase = 'body';
        budget = afterBytes;
        chunk = chunk.subarray(chunk.length - bodyInChunk);
      }

      if (phase === 'body') {
        if (chunk.length < budget) {
          budget -= chunk.length;
          client.write(chunk);
          return;
        }

        phase = 'cut';
        relay.cutsMade++;
        client.end(chunk.subarray(0, budget));
        gateway.destroy();
        return;
      }

      client.write(chunk);
    });
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${server.address().port}`;
  return relay;
}

function indexOfCaseless(haystack, needle) {
  return haystack.toString('latin1').toLowerCase().indexOf(needle.toString('latin1'));
}
