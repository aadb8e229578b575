/** The Bedrock simulator itself: one port for HTTP/2 and HTTP/1.1, AWS's error shape, and binary event frames. */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockSimulator, eventStream, parseAuthorization } from '../../../simulators/bedrock.js';

const sim = new BedrockSimulator();
const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

beforeAll(async () => {
  await sim.start();
});

afterAll(async () => {
  await sim.close();
});

/** Each frame starts with its total length as a big-endian uint32. */
function splitFrames(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
    frames.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return frames;
}

const post = (path: string, headers: Record<string, string> = { authorization: 'Bearer test-key' }) =>
  fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });

describe('BedrockSimulator', () => {
  it('serves HTTP/1.1 on the same port as HTTP/2 and decodes the model id', async () => {
    const response = await post('/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ stopReason: 'end_turn' });
    expect(sim.lastRequest?.headers[':method']).toBeUndefined();
    expect(sim.lastRequest?.headers.host).toBe(new URL(sim.url).host);
  });

  it('answers a request without authorization 403 with AWS’s error type header', async () => {
    const response = await post('/model/m/converse', {});
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('answers 404 for a path that is not a Bedrock runtime operation', async () => {
    expect((await post('/model/m/embed')).status).toBe(404);
  });

  it('writes events and exceptions as binary event-stream frames', async () => {
    sim.script(
      eventStream([
        { event: 'messageStart', data: { role: 'assistant' } },
        { exception: 'throttlingException', message: 'Too many tokens, please wait.' },
      ]),
    );
    const response = await post('/model/m/converse-stream');
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const messages = splitFrames(new Uint8Array(await response.arrayBuffer())).map((frame) => codec.decode(frame));
    expect(
      messages.map((message) => Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.value]))),
    ).toEqual([
      { ':message-type': 'event', ':event-type': 'messageStart', ':content-type': 'application/json' },
      { ':message-type': 'exception', ':exception-type': 'throttlingException', ':content-type': 'application/json' },
    ]);
    expect(JSON.parse(Buffer.from(messages[1]!.body).toString('utf8'))).toEqual({
      message: 'Too many tokens, please wait.',
    });
  });

  it('parses SigV4 and Bearer authorization headers', () => {
    expect(
      parseAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
      ),
    ).toEqual({
      scheme: 'sigv4',
      accessKeyId: 'AKIDEXAMPLE',
      date: '20250101',
      region: 'us-east-1',
      service: 'bedrock',
      signedHeaders: ['host', 'x-amz-date'],
    });
    expect(parseAuthorization('Bearer ABSK-1')).toEqual({ scheme: 'bearer', token: 'ABSK-1' });
    expect(parseAuthorization('Basic dXNlcjpwdw==')).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });
});
