import type { ChatMessage } from '@threadline/protocol/schemas';

/** How many `store:false` responses one WebSocket connection holds; the oldest goes first. */
export const MAX_CONNECTION_RESPONSES = 16;

interface HeldResponse {
  owner: string;
  /** The whole conversation the response ended (instructions aside), oldest message first. */
  messages: ChatMessage[];
}

/**
 * The responses a WebSocket connection holds for itself: `store:false` turns, which no other request may
 * continue. It lives as long as the connection, so after a reconnect such a chain is not found.
 */
export class ConnectionResponseCache {
  readonly #held = new Map<string, HeldResponse>();
  readonly #capacity: number;

  constructor(capacity = MAX_CONNECTION_RESPONSES) {
    this.#capacity = capacity;
  }

  /** The conversation of a held response of this owner, or null. */
  get(responseId: string, owner: string): ChatMessage[] | null {
    const held = this.#held.get(responseId);
    return held && held.owner === owner ? held.messages : null;
  }

  set(responseId: string, owner: string, messages: ChatMessage[]): void {
    this.#held.delete(responseId);
    this.#held.set(responseId, { owner, messages });
    while (this.#held.size > this.#capacity) {
      const oldest = this.#held.keys().next().value as string;
      this.#held.delete(oldest);
    }
  }

  /** Forgets a response (a continuation of it failed). */
  evict(responseId: string): void {
    this.#held.delete(responseId);
  }

  get size(): number {
    return this.#held.size;
  }
}
