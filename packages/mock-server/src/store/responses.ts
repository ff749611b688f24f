import type { ChatMessage } from '@threadline/protocol/schemas';
import type { ResponseStore, StoredChain } from '../routes/responses/chain';
import type { Database } from './open';
import type { Row } from './sql';

/**
 * Stored responses in the `db` file: each response's link of its `previous_response_id` chain (owner,
 * parent, the messages its turn added, as JSON) and its output items for `item_reference`. Inline
 * bytes are never here: the chain names the stored files instead.
 */
export class SqliteResponseStore implements ResponseStore {
  readonly #getChain;
  readonly #setChain;
  readonly #getItem;
  readonly #setItem;
  readonly #clear;

  constructor(db: Database) {
    this.#getChain = db.prepare('SELECT owner, parent, messages FROM response_chains WHERE id = ?');
    this.#setChain = db.prepare(
      'INSERT OR REPLACE INTO response_chains (id, owner, parent, messages) VALUES (?, ?, ?, ?)',
    );
    this.#getItem = db.prepare('SELECT messages FROM response_items WHERE owner = ? AND id = ?');
    this.#setItem = db.prepare(
      'INSERT OR REPLACE INTO response_items (owner, id, messages) VALUES (?, ?, ?)',
    );
    this.#clear = () => db.exec('DELETE FROM response_chains; DELETE FROM response_items;');
  }

  getChain(responseId: string): StoredChain | undefined {
    const row = this.#getChain.get(responseId) as Row | undefined;
    if (!row) return undefined;
    return {
      owner: row.owner as string,
      parent: (row.parent as string | null) ?? null,
      messages: JSON.parse(row.messages as string) as ChatMessage[],
    };
  }

  setChain(responseId: string, chain: StoredChain): void {
    this.#setChain.run(responseId, chain.owner, chain.parent, JSON.stringify(chain.messages));
  }

  getItem(owner: string, itemId: string): ChatMessage[] | undefined {
    const row = this.#getItem.get(owner, itemId) as Row | undefined;
    return row ? (JSON.parse(row.messages as string) as ChatMessage[]) : undefined;
  }

  setItem(owner: string, itemId: string, messages: ChatMessage[]): void {
    this.#setItem.run(owner, itemId, JSON.stringify(messages));
  }

  clear(): void {
    this.#clear();
  }
}
