import { expect } from 'vitest';
import WebSocket from 'ws';
import { assertSpecValid, assertStreamEventValid } from '../../../protocol/test/support/openapi';
import type { StreamEvent } from './responses';

const TERMINAL = ['response.completed', 'response.incomplete', 'response.failed'];

/** What a socket message parses to (a stream event or an error message). */
export type SocketMessage = { type: string; [key: string]: unknown };

/** A `/v1/responses` WebSocket client for tests: messages are read in order with `next()`. */
export class ResponsesSocket {
  readonly ws: WebSocket;
  readonly #messages: string[] = [];
  readonly #waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.#messages.push(String(data));
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.#wake();
    });
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<ResponsesSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/responses`, { headers });
    const socket = new ResponsesSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message as text, or null once the socket closed with nothing left to read. */
  async nextText(timeoutMs = 5_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.#messages.length === 0) {
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error('no socket message in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#messages.shift()!;
  }

  async next(): Promise<SocketMessage> {
    const text = await this.nextText();
    if (text === null) throw new Error(`socket closed: ${JSON.stringify(this.closed)}`);
    return JSON.parse(text) as SocketMessage;
  }

  /** An error message, checked against the OpenAI spec's `ResponseWsError`. */
  async error(): Promise<{ status: number; error: Record<string, unknown>; [key: string]: unknown }> {
    const message = await this.next();
    expect(message.type).toBe('error');
    assertSpecValid('openai', 'ResponseWsError', message);
    return message as never;
  }

  /**
   * One turn: every event up to its terminal one, each checked against the specs, sequence numbers
   * from 0 by one (as on an SSE stream).
   */
  async turn(message: Record<string, unknown>): Promise<StreamEvent[]> {
    this.send({ type: 'response.create', model: '', ...message });
    return this.events();
  }

  async events(): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for (;;) {
      const event = (await this.next()) as StreamEvent;
      if (event.type === 'error' && 'status' in event) {
        throw new Error(`error message instead of a stream: ${JSON.stringify(event)}`);
      }
      const { stream_id: _lane, ...plain } = event;
      assertStreamEventValid(plain as StreamEvent);
      events.push(event);
      if (TERMINAL.includes(event.type)) break;
    }
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    return events;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The response a turn ended with. */
export const finalResponse = (events: StreamEvent[]) =>
  (events[events.length - 1] as unknown as { response: Record<string, unknown> & { id: string } }).response;
