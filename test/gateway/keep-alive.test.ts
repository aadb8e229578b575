import { describe, expect, it } from 'vitest';
import type { ResponseSink } from '../../lib/gateway/http.js';
import { KEEP_ALIVE_COMMENT, KeepAlive } from '../../lib/gateway/keep-alive.js';
import { ManualClock } from '../helpers/manual-clock.js';

function recordingSink() {
  const events: string[] = [];
  const closed = new AbortController();
  const sink: ResponseSink = {
    closed: closed.signal,
    start: (status, headers) => void events.push(`head ${status} ${headers['x-gateway-provider'] ?? ''}`),
    write: async (data) => void events.push(data),
    end: async () => void events.push('end'),
  };
  return { sink, events, close: () => closed.abort() };
}

const settings = { keepAliveAfterMs: 15_000, keepAliveIntervalMs: 10_000 };

describe('KeepAlive', () => {
  it('holds the head while the provider is quick, then commits it with the stream', () => {
    const clock = new ManualClock();
    const { sink, events } = recordingSink();
    const keepAlive = new KeepAlive(sink, settings, clock, () => ({ 'x-gateway-provider': 'early' }));
    clock.advance(14_999);
    expect(events).toEqual([]);
    keepAlive.commit({ 'x-gateway-provider': 'late' });
    expect(events).toEqual(['head 200 late']);
    expect(keepAlive.committed).toBe(true);
  });

  it('commits the head after the quiet time and writes a comment at every interval until the stream opens', () => {
    const clock = new ManualClock();
    const { sink, events } = recordingSink();
    const keepAlive = new KeepAlive(sink, settings, clock, () => ({ 'x-gateway-provider': 'early' }));
    clock.advance(15_000);
    expect(events).toEqual(['head 200 early', KEEP_ALIVE_COMMENT]);
    expect(keepAlive.committed).toBe(true);
    clock.advance(25_000);
    expect(events).toEqual(['head 200 early', KEEP_ALIVE_COMMENT, KEEP_ALIVE_COMMENT, KEEP_ALIVE_COMMENT]);
    keepAlive.commit({ 'x-gateway-provider': 'late' });
    expect(events.filter((event) => event.startsWith('head'))).toEqual(['head 200 early']);
  });

  it('fills idle gaps between chunks, each write restarting the wait', async () => {
    const clock = new ManualClock();
    const { sink, events } = recordingSink();
    const keepAlive = new KeepAlive(sink, settings, clock, () => ({}));
    keepAlive.commit({});
    clock.advance(9_000);
    await keepAlive.write('data: a\n\n');
    clock.advance(9_000);
    expect(events).toEqual(['head 200 ', 'data: a\n\n']);
    clock.advance(1_000);
    expect(events).toEqual(['head 200 ', 'data: a\n\n', KEEP_ALIVE_COMMENT]);
  });

  it('writes nothing once stopped, after the client left, or when turned off', () => {
    const clock = new ManualClock();
    const stopped = recordingSink();
    new KeepAlive(stopped.sink, settings, clock, () => ({})).stop();
    const gone = recordingSink();
    new KeepAlive(gone.sink, settings, clock, () => ({}));
    gone.close();
    const off = recordingSink();
    new KeepAlive(off.sink, { keepAliveAfterMs: 0, keepAliveIntervalMs: 10_000 }, clock, () => ({}));
    clock.advance(60_000);
    expect([stopped.events, gone.events, off.events]).toEqual([[], [], []]);
  });

  it('skips a keep-alive while a write is still waiting on a slow reader', () => {
    const clock = new ManualClock();
    const events: string[] = [];
    const sink: ResponseSink = {
      closed: new AbortController().signal,
      start: () => void events.push('head'),
      write: (data) => {
        events.push(data);
        return new Promise(() => {}); // never drained
      },
      end: async () => {},
    };
    const keepAlive = new KeepAlive(sink, settings, clock, () => ({}));
    keepAlive.commit({});
    void keepAlive.write('data: big\n\n');
    clock.advance(30_000);
    expect(events).toEqual(['head', 'data: big\n\n']);
  });
});
