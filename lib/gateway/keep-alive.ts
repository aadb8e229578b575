/**
 * SSE keep-alives (CONTRACT.md §2 streaming; docs/architecture.md "Long streams"). A streaming answer holds its head
 * until the provider's first chunk, so an error keeps its HTTP status and fallbacks stay invisible. A reasoning
 * model can think for minutes before that chunk, and a proxy in front of the gateway (CloudFront's origin read
 * timeout is 30 s by default) drops a connection that stays silent: after `keepAliveAfterMs` without a byte the head is
 * committed as `200 text/event-stream` and an SSE comment (`: keep-alive`, which every SSE parser skips) is written,
 * then again after every `keepAliveIntervalMs` of silence, until the stream ends. From then on a failure is the stream's error
 * event, not a status.
 */
import type { Clock } from '../core/clock.js';
import type { ResponseSink } from './http.js';

export interface KeepAliveSettings {
  /** Silence before the head is committed and the first keep-alive is written; 0 turns keep-alives off. */
  keepAliveAfterMs: number;
  /** Silence between two keep-alives once the head is committed. */
  keepAliveIntervalMs: number;
}

export const KEEP_ALIVE_COMMENT = ': keep-alive\n\n';

export class KeepAlive {
  private cancel: (() => void) | undefined;
  private committedHead = false;
  private writing = 0;
  private stopped = false;

  /**
   * @param head the status line's headers when the head is committed early (the provider chosen so far).
   */
  constructor(
    private readonly sink: ResponseSink,
    private readonly settings: KeepAliveSettings,
    private readonly clock: Clock,
    private readonly head: () => Record<string, string>,
  ) {
    this.arm(settings.keepAliveAfterMs);
  }

  /** True once the head went out: errors must then be written as the stream's own events. */
  get committed(): boolean {
    return this.committedHead;
  }

  /** Sends the head now (the stream opened); from here on only silence is watched. */
  commit(headers: Record<string, string>): void {
    if (!this.committedHead) {
      this.committedHead = true;
      this.sink.start(200, headers);
    }
    this.arm(this.settings.keepAliveIntervalMs);
  }

  /** Writes stream bytes, restarting the silence timer. */
  async write(data: string): Promise<void> {
    this.arm(this.settings.keepAliveIntervalMs);
    this.writing++;
    try {
      await this.sink.write(data);
    } finally {
      this.writing--;
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  private arm(ms: number): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.stopped || this.settings.keepAliveAfterMs <= 0) return;
    this.cancel = this.clock.after(ms, () => this.fire());
  }

  private fire(): void {
    this.cancel = undefined;
    if (this.stopped || this.sink.closed.aborted) return;
    if (!this.committedHead) {
      this.committedHead = true;
      this.sink.start(200, this.head());
    }
    // Bytes still queued behind a slow reader already keep the connection busy.
    if (this.writing === 0) this.sink.write(KEEP_ALIVE_COMMENT).catch(() => {});
    this.arm(this.settings.keepAliveIntervalMs);
  }
}
