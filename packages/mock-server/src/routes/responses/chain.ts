import type { ChatMessage } from '@threadline/protocol/schemas';
import type { ConversationMessage } from '../../engine/types';
import type { ServerState } from '../../state';
import { BoundedMap } from '../../state/bounded';
import { DEFAULT_STORE_CAPS } from '../../state/limits';

/** A stored response: its owner and the whole conversation it ended (input and output, no instructions). */
export interface StoredChain {
  owner: string;
  messages: ChatMessage[];
}

/**
 * The conversations `previous_response_id` continues, by response (= run) id. Bounded like every
 * in-memory store; kept per server state, and only while the run itself is kept, so a reset or an
 * evicted run ends the chain too.
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

export function saveChain(state: ServerState, responseId: string, chain: StoredChain): void {
  const bytes = 128 + JSON.stringify(chain.messages).length;
  chainsOf(state).set(responseId, chain, bytes);
}

/** The conversation of a response the owner may continue, or null (never issued, another's, not stored). */
export function loadChain(state: ServerState, responseId: string, owner: string): ChatMessage[] | null {
  const chain = chainsOf(state).get(responseId);
  if (!chain || chain.owner !== owner || !state.runs.get(responseId, owner)) return null;
  return chain.messages;
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
