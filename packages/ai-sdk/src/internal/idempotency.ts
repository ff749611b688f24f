const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');

/** How many finished calls a provider remembers; the oldest is forgotten first. */
const FINISHED_LIMIT = 1_000;

export interface CallKey {
  /** The Idempotency-Key to send. */
  key: string;
  /** Marks the call finished: the next call with the same scope and body is a new turn. */
  finished(): void;
}

/**
 * The Idempotency-Keys of one provider. A call is keyed by SHA-256 over its scope headers and its
 * body as sent, so `ai`'s re-send of a call that failed (`streamRetries`) carries the same key and the
 * server stores the turn once. Once a call has finished, the same scope and body again is a new turn
 * (a person sending "yes" twice on a thread, where only the new turn is sent), so it gets a fresh key.
 * Web Crypto, so it works in Node and edge runtimes alike.
 */
export class IdempotencyKeys {
  private readonly finishedCalls = new Map<string, number>();

  async forCall(scopeHeaders: Record<string, string>, body: unknown): Promise<CallKey> {
    const scope = Object.keys(scopeHeaders)
      .sort()
      .map((name) => [name, scopeHeaders[name]]);
    const text = JSON.stringify([scope, body]);
    const base = `tl-ai-${hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))}`;
    const count = this.finishedCalls.get(base) ?? 0;
    return {
      key: count === 0 ? base : `${base}.${count}`,
      finished: () => this.finish(base, count + 1),
    };
  }

  private finish(base: string, count: number): void {
    const known = this.finishedCalls.get(base) ?? 0;
    this.finishedCalls.delete(base);
    this.finishedCalls.set(base, Math.max(known, count));
    if (this.finishedCalls.size > FINISHED_LIMIT) {
      const oldest = this.finishedCalls.keys().next().value;
      if (oldest !== undefined) this.finishedCalls.delete(oldest);
    }
  }
}

/** A key given by the caller (`providerOptions.threadline.idempotencyKey`) is theirs to vary. */
export const givenKey = (key: string): CallKey => ({ key, finished: () => {} });

/**
 * Passes a model's stream through, marking the call finished when it ends with a finish part that
 * is not an error or an interruption (a call that broke off is one `ai` may send again).
 */
export function markFinished<T extends { type: string }>(stream: ReadableStream<T>, call: CallKey) {
  return stream.pipeThrough(
    new TransformStream<T, T>({
      transform(part, controller) {
        if (part.type === 'finish') {
          const unified = (part as { finishReason?: { unified?: string } }).finishReason?.unified;
          if (unified !== 'error' && unified !== 'interrupted') call.finished();
        }
        controller.enqueue(part);
      },
    }),
  );
}
