/** One message of a Responses WebSocket: a stream event or an error message, parsed; `text` when not JSON. */
export type SocketMessage = Record<string, unknown> & { type?: unknown };

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * A `/v1/responses` WebSocket read in order (the platform's global WebSocket: Node 22+, Bun, browsers).
 * Headers are passed the way Node's WebSocket (undici) takes them; other runtimes may ignore them.
 */
export class ResponsesSocket {
  readonly #ws: WebSocket;
  readonly #messages: SocketMessage[] = [];
  #wake: (() => void) | null = null;
  /** Set once the socket closed or failed: why. */
  closed: string | null = null;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (event) => {
      const text = typeof event.data === 'string' ? event.data : '';
      let message: SocketMessage;
      try {
        const value: unknown = JSON.parse(text);
        message =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? (value as SocketMessage)
            : { text };
      } catch {
        message = { text };
      }
      this.#messages.push(message);
      this.#wake?.();
    });
    ws.addEventListener('close', (event) => {
      this.closed ??= `closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`;
      this.#wake?.();
    });
  }

  static open(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<ResponsesSocket> {
    const Socket = globalThis.WebSocket as unknown as new (url: string, init: unknown) => WebSocket;
    if (typeof Socket !== 'function') throw new Error('this runtime has no global WebSocket (Node 22+)');
    const ws = new Socket(url, { headers });
    const socket = new ResponsesSocket(ws);
    signal.addEventListener('abort', () => socket.close(), { once: true });
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(socket), { once: true });
      ws.addEventListener('error', () => reject(new Error(`the WebSocket upgrade of ${url} failed`)), {
        once: true,
      });
      ws.addEventListener('close', () => reject(new Error(`the WebSocket ${url} closed before opening`)), {
        once: true,
      });
    });
  }

  send(message: unknown): void {
    this.#ws.send(JSON.stringify(message));
  }

  /**
   * The next message; null once the socket closed with nothing left to read, or when nothing came for
   * `idleMs` (a turn that never ends must not hold the check until its time limit).
   */
  async next(idleMs: number): Promise<SocketMessage | null> {
    const deadline = Date.now() + idleMs;
    while (this.#messages.length === 0) {
      if (this.closed || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return this.#messages.shift()!;
  }

  /**
   * The messages of one turn: up to its terminal event, or a request-level error message (`type:
   * "error"` with a `status`), or until the socket closed.
   */
  async turn(idleMs = 2500): Promise<SocketMessage[]> {
    const out: SocketMessage[] = [];
    for (;;) {
      const message = await this.next(idleMs);
      if (!message) return out;
      out.push(message);
      const type = typeof message.type === 'string' ? message.type : '';
      if (TERMINAL.has(type) || (type === 'error' && message.status !== undefined)) return out;
    }
  }

  close(): void {
    this.closed ??= 'closed by the check';
    this.#wake?.();
    try {
      this.#ws.close();
    } catch {
      // Already closing.
    }
  }
}
