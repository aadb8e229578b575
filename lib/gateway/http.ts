/**
 * The gateway core's view of HTTP: a request, and a sink the response is written to. The Lambda handler and the
 * local server each adapt their own streams to these (functions/chat/handler.ts, local/node-http.ts).
 */
export interface HttpRequest {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body?: string;
}

export interface ResponseSink {
  /** Sends the status line and headers; called once, before any write. */
  start(status: number, headers: Record<string, string>): void;
  /** Writes body bytes, resolving once the transport accepted them (backpressure). */
  write(data: string): Promise<void>;
  end(): Promise<void>;
  /** Aborted when the client goes away before the response ended. */
  readonly closed: AbortSignal;
}

export async function sendJson(
  sink: ResponseSink,
  status: number,
  headers: Record<string, string>,
  body: unknown,
): Promise<void> {
  sink.start(status, { ...headers, 'content-type': 'application/json' });
  await sink.write(JSON.stringify(body));
  await sink.end();
}
