/** A `/v1/responses` client on the runtime's own WebSocket (the global one, no `ws`), for other servers. */
export class GlobalResponsesSocket {
  readonly #ws: WebSocket;
  readonly #messages: Array<Record<string, unknown>> = [];
  readonly #waiters: Array<() => void> = [];
  closed: { code: number } | null = null;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (event) => {
      this.#messages.push(JSON.parse(String(event.data)) as Record<string, unknown>);
      this.#wake();
    });
    ws.addEventListener('close', (event) => {
      this.closed = { code: event.code };
      this.#wake();
    });
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  static open(url: string, headers: Record<string, string>): Promise<GlobalResponsesSocket> {
    // Node's WebSocket (undici) takes headers for the upgrade request.
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/responses`, { headers } as never);
    const socket = new GlobalResponsesSocket(ws);
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(socket), { once: true });
      ws.addEventListener('error', () => reject(new Error('the WebSocket did not open')), { once: true });
    });
  }

  send(message: unknown): void {
    this.#ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async next(timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.#messages.length === 0) {
      if (this.closed) throw new Error(`socket closed: ${JSON.stringify(this.closed)}`);
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

  /** Every event of one turn, up to its terminal one. */
  async turn(request: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    this.send({ type: 'response.create', model: '', ...request });
    const events: Array<Record<string, unknown>> = [];
    for (;;) {
      const event = await this.next();
      events.push(event);
      if (event.type === 'error') throw new Error(`error instead of a stream: ${JSON.stringify(event)}`);
      if (['response.completed', 'response.incomplete', 'response.failed'].includes(String(event.type))) {
        return events;
      }
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#ws.addEventListener('close', () => resolve(), { once: true });
      this.#ws.close();
    });
  }
}
