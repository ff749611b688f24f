import type { ChatMessage } from '@threadline/protocol/schemas';
import type { ConversationMessage } from '../../engine/types';
import type { ServerState } from '../../state';
import { BoundedMap } from '../../state/bounded';
import { DEFAULT_STORE_CAPS } from '../../state/limits';

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
 * The conversations `previous_response_id` continues, by response (= run) id. Bounded like every
 * in-memory store (the oldest links go first); kept per server state, and a response can be continued
 * only while its run is kept, so a reset or an evicted run ends the chain.
 */
const chains = new WeakMap<ServerState, BoundedMap<StoredChain>>();

function chainsOf(state: ServerState): BoundedMap<StoredChain> {
  let map = chains.get(state);
  if (!map) {
    map = new BoundedMap<StoredChain>(DEFAULT_STORE_CAPS.memory);
    chains.set(state, map);
    const held = map;
    state.resetHandlers.push(() => held.clear());
  }
  return map;
}

/** Output items by id, for `item_reference`: whose they are and the messages they stand for. */
const items = new WeakMap<ServerState, BoundedMap<{ owner: string; messages: ChatMessage[] }>>();

function itemsOf(state: ServerState): BoundedMap<{ owner: string; messages: ChatMessage[] }> {
  let map = items.get(state);
  if (!map) {
    map = new BoundedMap<{ owner: string; messages: ChatMessage[] }>(DEFAULT_STORE_CAPS.memory);
    items.set(state, map);
    const held = map;
    state.resetHandlers.push(() => held.clear());
  }
  return map;
}

/** Keeps a stored response's output items where a later `item_reference` finds them. */
export function saveItems(
  state: ServerState,
  owner: string,
  stored: ReadonlyArray<{ id: string; messages: ChatMessage[] }>,
): void {
  const map = itemsOf(state);
  for (const item of stored) {
    map.set(
      `${owner}\u0000${item.id}`,
      { owner, messages: item.messages },
      64 + JSON.stringify(item.messages).length,
    );
  }
}

/** The messages of the owner's stored output item with that id, or null. */
export function findItem(state: ServerState, id: string, owner: string): ChatMessage[] | null {
  return itemsOf(state).get(`${owner}\u0000${id}`)?.messages ?? null;
}

export function saveChain(state: ServerState, responseId: string, chain: StoredChain): void {
  const bytes = 128 + JSON.stringify(chain.messages).length;
  chainsOf(state).set(responseId, chain, bytes);
}

/**
 * The whole conversation a response ended, oldest turn first, or null when the owner may not continue
 * it (never issued, another's, not stored). A chain so long that the store evicted its oldest links
 * starts at the oldest link still kept.
 */
export function loadChain(state: ServerState, responseId: string, owner: string): ChatMessage[] | null {
  const map = chainsOf(state);
  const named = map.get(responseId);
  if (!named || named.owner !== owner || !state.runs.get(responseId, owner)) return null;
  const links: ChatMessage[][] = [];
  // Parents are always older than their children, so the walk ends; the size bound is a second guard.
  for (let link: StoredChain | undefined = named; link && links.length <= map.size; ) {
    links.push(link.messages);
    link = link.parent === null ? undefined : map.get(link.parent);
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
