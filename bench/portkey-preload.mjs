// Loaded with `node --import` into the Portkey gateway's process (bench/portkey.ts); changes nothing on disk.
//
// 1. Portkey's start-server.js listens on `--port=N` on every interface and prints `http://localhost:N` even for
//    port 0. Every listen in this process is sent to 127.0.0.1 port 0 instead, and the real port is printed as
//    `BENCH-LISTENING <port>` for the bench to read.
// 2. Portkey 1.15.2 with the @hono/node-server it resolves to here (1.19.x) fails every streaming chat request
//    with `TypeError: immutable` (Portkey-AI/gateway#1389): it builds its stream response as
//    `new Response(body, upstreamFetchResponse)`, and since node-server 1.14.3 the lightweight `Response` keeps the
//    upstream response's own (immutable) `Headers` object, which Portkey then appends its `x-portkey-*` headers to.
//    Older node-server versions copied the headers; so does this: an upstream (native) Response passed as the init
//    becomes `{status, statusText, headers: new Headers(...)}`. Nothing else in Portkey's code path changes.
import net from 'node:net';

const NativeResponse = globalThis.Response;
let responsePatched = false;

function patchResponse() {
  const HonoResponse = globalThis.Response;
  if (responsePatched || HonoResponse === NativeResponse) return;
  responsePatched = true;
  class CopyingResponse extends HonoResponse {
    constructor(body, init) {
      if (init instanceof NativeResponse && !(init instanceof HonoResponse)) {
        init = { status: init.status, statusText: init.statusText, headers: new Headers(init.headers) };
      }
      super(body, init);
    }
  }
  Object.defineProperty(globalThis, 'Response', { value: CopyingResponse, writable: true, configurable: true });
}

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function benchListen(...args) {
  // @hono/node-server swaps in its Response just before it listens.
  patchResponse();
  const callback = typeof args.at(-1) === 'function' ? args.at(-1) : undefined;
  this.once('listening', () => process.stdout.write(`\nBENCH-LISTENING ${this.address().port}\n`));
  return listen.call(this, 0, '127.0.0.1', callback);
};
