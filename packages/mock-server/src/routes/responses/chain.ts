import type { ChatMessage } from '@threadline/protocol/schemas';
import type { ConversationMessage } from '../../engine/types';
import type { ServerState } from '../../state';
import { BoundedMap, type MeteredStore, type StoreCap, type StoreUsage } from '../../state/bounded';
import { DEFAULT_STORE_CAPS } from '../../state/limits';
import { KeyedRing, type RingColumns } from '../../state/ring';

/**
 * A stored response: its owner, the response it continued, and what it added to the conversation (its
 * new input, instructions aside, and its output). Each link holds only its own turn, so a long chain
 * costs memory in proportion to its length, not its length squared.
 */
export interface StoredChain {
  owner: string;
  parent: string | null;
  messages: ChatMessage[];
}

/**
 * Where stored responses live: their chains by response (= run) id, and their output items by owner
 * and item id (for `item_reference`). In memory by default; with `db`, the file's (store/responses.ts),
 * so a chain outlives a restart as its run record does.
 */
export interface ResponseStore {
  getChain(responseId: string): StoredChain | undefined;
  setChain(responseId: string, chain: StoredChain): void;
  getItem(owner: string, itemId: string): ChatMessage[] | undefined;
  setItem(owner: string, itemId: string, messages: ChatMessage[]): void;
  clear(): void;
}

/**
 * Links as the in-memory store keeps them, one ring place each: the commonest turn, one user text
 * answered by one assistant text, as those two strings; any other as its messages' JSON text. Either
 * way a few strings, not a tree, and no object per link.
 */
class ChainColumns implements RingColumns<ChainColumns> {
  readonly owner: string[];
  readonly parent: Array<string | null>;
  readonly json: Array<string | null>;
  readonly asked: Array<string | null>;
  readonly answered: Array<string | null>;
  /** The response's message output item (`msg_<run id suffix>`) as JSON, kept with its link. */
  readonly messageItem: Array<string | null>;
  /** 1 when the message item is the answered text alone (nothing else to keep). */
  readonly itemIsAnswer: Uint8Array;

  constructor(capacity: number) {
    this.owner = new Array(capacity);
    this.parent = new Array(capacity);
    this.json = new Array(capacity);
    this.asked = new Array(capacity);
    this.answered = new Array(capacity);
    this.messageItem = new Array(capacity);
    this.itemIsAnswer = new Uint8Array(capacity);
  }

  bytesAt(at: number): number {
    const item = this.messageItem[at];
    return (
      128 +
      (this.json[at]?.length ?? (this.asked[at]?.length ?? 0) + (this.answered[at]?.length ?? 0)) +
      (item == null ? 0 : 64 + item.length)
    );
  }

  release(at: number): void {
    this.owner[at] = undefined as unknown as string;
    this.parent[at] = null;
    this.json[at] = null;
    this.asked[at] = null;
    this.answered[at] = null;
    this.messageItem[at] = null;
    this.itemIsAnswer[at] = 0;
  }

  copyTo(target: ChainColumns, from: number, to: number): void {
    target.owner[to] = this.owner[from]!;
    target.parent[to] = this.parent[from]!;
    target.json[to] = this.json[from]!;
    target.asked[to] = this.asked[from]!;
    target.answered[to] = this.answered[from]!;
    target.messageItem[to] = this.messageItem[from]!;
    target.itemIsAnswer[to] = this.itemIsAnswer[from]!;
  }
}

/** The link a message item belongs to: its id is the response's own (`msg_…` for `run_…`). */
const MESSAGE_ITEM = 'msg_';
const linkOfMessageItem = (itemId: string) => `run_${itemId.slice(MESSAGE_ITEM.length)}`;

/** `{ role, content }` with that role, text content and no other key. */
function isPlainText(message: unknown, role: string): message is { role: string; content: string } {
  const m = message as Record<string, unknown>;
  if (m.role !== role || typeof m.content !== 'string') return false;
  let keys = 0;
  for (const _ in m) keys++;
  return keys === 2;
}

const textMessage = (role: 'user' | 'assistant', content: string) => ({ role, content }) as ChatMessage;

/**
 * The in-memory store: bounded like every in-memory store (the oldest links go first). A response can
 * be continued only while its run is kept, so a reset or an evicted run ends the chain. A link's messages
 * are kept as two texts or as JSON text (see ChainColumns; also what their size is counted by), turned
 * back into messages when a later request loads them: thousands of stored turns are then a few strings
 * each, which cost a garbage collection next to nothing, instead of trees of objects that every
 * collection walks.
 */
export class MemoryResponseStore implements ResponseStore, MeteredStore {
  readonly #cap: StoreCap;
  readonly #chains: KeyedRing<ChainColumns>;
  readonly #items: BoundedMap<string>;

  /**
   * `cap` counts stored responses; their bytes (links and output items together) stay within
   * `maxBytes`, half for each. A response has a few output items at most, so items get four per response.
   */
  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.responses) {
    this.#cap = { ...cap };
    const bytes = Math.max(1, Math.floor(cap.maxBytes / 2));
    this.#chains = new KeyedRing(
      { maxCount: cap.maxCount, maxBytes: bytes },
      (capacity) => new ChainColumns(capacity),
    );
    this.#items = new BoundedMap({ maxCount: cap.maxCount * 4, maxBytes: bytes });
  }

  usage(): StoreUsage {
    const chains = this.#chains.usage();
    return {
      count: chains.count,
      bytes: chains.bytes + this.#items.usage().bytes,
      maxCount: this.#cap.maxCount,
      maxBytes: this.#cap.maxBytes,
      evicted: chains.evicted,
    };
  }

  getChain(responseId: string): StoredChain | undefined {
    const at = this.#chains.find(responseId);
    if (at === undefined) return undefined;
    const link = this.#chains.columns;
    const json = link.json[at]!;
    const messages =
      json === null
        ? [textMessage('user', link.asked[at]!), textMessage('assistant', link.answered[at]!)]
        : (JSON.parse(json) as ChatMessage[]);
    return { owner: link.owner[at]!, parent: link.parent[at]!, messages };
  }

  setChain(responseId: string, chain: StoredChain): void {
    const [asked, answered] = chain.messages;
    const texts =
      chain.messages.length === 2 && isPlainText(asked, 'user') && isPlainText(answered, 'assistant');
    const json = texts ? null : JSON.stringify(chain.messages);
    const askedText = texts ? asked.content : null;
    const answeredText = texts ? answered.content : null;
    // Placed at no size, then measured once its columns are written.
    const at = this.#chains.place(responseId, 0);
    const link = this.#chains.columns;
    link.owner[at] = chain.owner;
    link.parent[at] = chain.parent;
    link.json[at] = json;
    link.asked[at] = askedText;
    link.answered[at] = answeredText;
    link.messageItem[at] = null;
    link.itemIsAnswer[at] = 0;
    this.#chains.resize(at, link.bytesAt(at));
    this.#chains.trim();
  }

  getItem(owner: string, itemId: string): ChatMessage[] | undefined {
    if (itemId.startsWith(MESSAGE_ITEM)) {
      const at = this.#chains.find(linkOfMessageItem(itemId));
      const link = this.#chains.columns;
      if (at !== undefined && link.owner[at] === owner) {
        if (link.itemIsAnswer[at] === 1) return [textMessage('assistant', link.answered[at]!)];
        const item = link.messageItem[at];
        if (item != null) return JSON.parse(item) as ChatMessage[];
      }
    }
    const json = this.#items.get(`${owner}\u0000${itemId}`);
    return json === undefined ? undefined : (JSON.parse(json) as ChatMessage[]);
  }

  setItem(owner: string, itemId: string, messages: ChatMessage[]): void {
    if (itemId.startsWith(MESSAGE_ITEM)) {
      const at = this.#chains.find(linkOfMessageItem(itemId));
      const link = this.#chains.columns;
      if (at !== undefined && link.owner[at] === owner) {
        const [only] = messages;
        const answeredText = link.answered[at];
        if (
          messages.length === 1 &&
          answeredText != null &&
          isPlainText(only, 'assistant') &&
          only.content === answeredText
        ) {
          link.itemIsAnswer[at] = 1;
          return;
        }
        link.messageItem[at] = JSON.stringify(messages);
        this.#chains.resize(at, link.bytesAt(at));
        this.#chains.trim();
        return;
      }
    }
    const json = JSON.stringify(messages);
    this.#items.set(`${owner}\u0000${itemId}`, json, 64 + json.length);
  }

  clear(): void {
    this.#chains.clear();
    this.#items.clear();
  }
}

const stores = new WeakMap<ServerState, ResponseStore>();

/** Puts `store` in place of the state's in-memory one (the `db` file's); reset empties it. */
export function useResponseStore(state: ServerState, store: ResponseStore): void {
  if (!stores.has(state)) {
    state.resetHandlers.push(() => stores.get(state)?.clear());
    state.stores.set('responses', () => stores.get(state));
  }
  stores.set(state, store);
}

function storeOf(state: ServerState): ResponseStore {
  let store = stores.get(state);
  if (!store) {
    store = new MemoryResponseStore(state.storeLimits.responses);
    useResponseStore(state, store);
  }
  return store;
}

/** Keeps a stored response's output items where a later `item_reference` finds them. */
export function saveItems(
  state: ServerState,
  owner: string,
  stored: ReadonlyArray<{ id: string; messages: ChatMessage[] }>,
): void {
  const store = storeOf(state);
  for (const item of stored) store.setItem(owner, item.id, item.messages);
}

/** The messages of the owner's stored output item with that id, or null. */
export function findItem(state: ServerState, id: string, owner: string): ChatMessage[] | null {
  return storeOf(state).getItem(owner, id) ?? null;
}

export function saveChain(state: ServerState, responseId: string, chain: StoredChain): void {
  storeOf(state).setChain(responseId, chain);
}

/**
 * The whole conversation a response ended, oldest turn first, or null when the owner may not continue
 * it (never issued, another's, not stored). A chain so long that the store evicted its oldest links
 * starts at the oldest link still kept.
 */
export function loadChain(state: ServerState, responseId: string, owner: string): ChatMessage[] | null {
  const store = storeOf(state);
  const named = store.getChain(responseId);
  if (!named || named.owner !== owner || !state.runs.get(responseId, owner)) return null;
  const links: ChatMessage[][] = [];
  // Parents are always older than their children, so the walk ends; the visited set is a second guard.
  const seen = new Set<string>([responseId]);
  for (let link: StoredChain | undefined = named; link; ) {
    links.push(link.messages);
    if (link.parent === null || seen.has(link.parent)) break;
    seen.add(link.parent);
    link = store.getChain(link.parent);
  }
  return links.reverse().flat();
}

/**
 * The new input as the chain keeps it: a user message's inline bytes were stored as files when the turn
 * started, so the chain names those files instead of holding the bytes (a continuation neither stores
 * them again nor keeps megabytes of base64 in memory). `built` is the turn's conversation, one message
 * per chat message, as the start step made it.
 */
export function withStoredFiles(
  messages: ChatMessage[],
  built: readonly ConversationMessage[],
): ChatMessage[] {
  return messages.map((message, i) => {
    const attachments = built[i]?.attachments ?? [];
    if (message.role !== 'user' || attachments.length === 0) return message;
    const parts: unknown[] = [{ type: 'text', text: built[i]!.text }];
    for (const attachment of attachments) {
      parts.push(
        attachment.url !== null
          ? { type: 'image_url', image_url: { url: attachment.url } }
          : { type: 'file', file: { file_id: attachment.fileId } },
      );
    }
    return { ...message, content: parts } as ChatMessage;
  });
}
