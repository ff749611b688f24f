import { parseApprovalId } from '@threadline/protocol';
import type { ConversationMessage, Reply, Turn } from '../engine/types';
import { lastUserMessage } from '../engine/view';
import type { ServerState, StoredRun } from '../state';
import {
  fingerprintOf,
  type IdempotencyStore,
  idempotencyKeyOf,
  type KeyedTurn,
  keyedTurnKey,
  keyReused,
} from './idempotency';
import type { Ledger, LedgerEntry, NewLedgerEntry } from './ledger';
import { retrieve } from './retrieve';
import { faultedScope, type MemoryScope, memoryScope, scopeKey } from './scope';

/** What the prepare step hands the finish step through `turn.extensions`. */
interface TurnMemory {
  scope: MemoryScope;
  /** The messages this turn added to the conversation (to be remembered). */
  added: ConversationMessage[];
  /** The turn's Idempotency-Key slot (`keyedTurnKey`) and request fingerprint, when it sent a key. */
  keyed: { key: string; fingerprint: string } | null;
}

const MEMORY = 'memory';
/** Sentences a turn draws from memory. */
const RECALLED = 3;
/** The most stored messages of a thread a turn hands the model: the thread's context window. */
export const THREAD_WINDOW = 1_000;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The messages a request adds: everything after its last assistant message, system messages aside. */
function addedMessages(messages: readonly ConversationMessage[]): ConversationMessage[] {
  let start = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'assistant') {
      start = i + 1;
      break;
    }
  }
  return messages.slice(start).filter((m) => m.role !== 'system' && m.role !== 'developer');
}

function toConversation(entry: LedgerEntry): ConversationMessage {
  return {
    role: entry.role ?? 'user',
    text: entry.text,
    attachments: [],
    toolCalls: entry.toolCalls,
    toolCallId: entry.toolCallId,
    name: entry.name,
  };
}

function messageEntry(message: ConversationMessage, runId: string): NewLedgerEntry {
  return {
    kind: 'message',
    role: message.role,
    text: message.text,
    toolCalls: message.toolCalls,
    toolCallId: message.toolCallId,
    name: message.name,
    runId,
    createdAt: nowSeconds(),
  };
}

/** What a finished run adds to memory: server tool calls and results, pauses, and the assistant text. */
function replyEntries(turn: Turn, reply: Reply, run: StoredRun): NewLedgerEntry[] {
  const base = { kind: 'message' as const, runId: turn.runId, createdAt: nowSeconds() };
  const out: NewLedgerEntry[] = [];
  for (const call of run.tool_calls) {
    if (call.status !== 'executed' && call.status !== 'failed') continue;
    // A failed call is remembered with its error as the tool's result.
    const result = call.result ?? call.error ?? '';
    // A call resumed by approval was already remembered as the pause's tool call: add its result only.
    if (parseApprovalId(call.id) === null) {
      const toolCalls = [
        { id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } },
      ];
      out.push({ ...base, role: 'assistant', text: '', toolCalls, toolCallId: null, name: null });
    }
    out.push({ ...base, role: 'tool', text: result, toolCalls: [], toolCallId: call.id, name: call.name });
  }
  const toolCalls = reply.toolCalls.map((call) => ({
    id: call.id,
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  if (reply.text || toolCalls.length > 0) {
    out.push({ ...base, role: 'assistant', text: reply.text ?? '', toolCalls, toolCallId: null, name: null });
  }
  return out;
}

/**
 * Session and thread memory as turn hooks. A turn that sends client tools is left alone: it uses only
 * its own tools and no memory. A stateful turn with an Idempotency-Key is stored once per key: a resend
 * runs again and its items replace the earlier attempt's (a failed resend never replaces an answer).
 */
export function installMemory(state: ServerState, ledger: Ledger, keys: IdempotencyStore): void {
  /** The rest of the prepare step, once the turn's key (if any) is known. */
  const prepare = (turn: Turn, scope: MemoryScope, keyed: TurnMemory['keyed']): void => {
    const earlier = keyed ? keys.get(keyed.key) : undefined;
    // Refused before anything is stored: the finish step finds no memory slot on this turn.
    if (keyed && earlier && earlier.fingerprint !== keyed.fingerprint) throw keyReused();
    const memory: TurnMemory = { scope, added: addedMessages(turn.messages), keyed };
    turn.extensions[MEMORY] = memory;
    // A resend is answered from the memory its first attempt saw: without that attempt's own items.
    const skip = earlier ? new Set(earlier.seqs) : undefined;
    const visible = (entry: LedgerEntry) => !skip?.has(entry.seq);
    if (scope.kind === 'thread') {
      // The server holds the thread: its newest messages go between the system messages and the new
      // turn, read back from the newest so a long thread costs no more than the window.
      const inThread = (entry: LedgerEntry) => entry.kind === 'message' && visible(entry);
      const kept = ledger.recent
        ? ledger.recent(scope.key, THREAD_WINDOW, inThread)
        : ledger.list(scope.key).filter(inThread).slice(-THREAD_WINDOW);
      const history = kept.map(toConversation);
      const system = turn.messages.filter((m) => m.role === 'system' || m.role === 'developer');
      const rest = turn.messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
      turn.messages = [...system, ...history, ...rest];
    }
    const query = lastUserMessage(turn.messages)?.text ?? '';
    // Threads retrieve too: the model sees the history, and the reply shows what it drew on. The
    // ledger's index answers without the scope being read (unless a fault widens what is searched).
    const faulted = turn.faults.storeWithoutSession && scope.kind === 'session';
    if (ledger.recall && !faulted) {
      turn.retrieved.push(...ledger.recall(scope.key, query, RECALLED, skip));
      return;
    }
    const stored = ledger.list(scope.key).filter(visible);
    const unnamed = scopeKey(turn.identity.owner, 'session', '');
    if (faulted) stored.push(...ledger.list(unnamed));
    turn.retrieved.push(...retrieve(query, stored, RECALLED));
  };

  state.hooks.prepare.push((turn) => {
    if (turn.tools.length > 0) return;
    const owner = turn.identity.owner;
    const named = memoryScope(state.dialect, owner, turn.header);
    if (named === null) {
      // The store-without-session fault: a stateless turn is kept where every session of the user reads.
      if (turn.faults.storeWithoutSession) {
        const kept: TurnMemory = {
          scope: { kind: 'session', id: '', key: scopeKey(owner, 'session', '') },
          added: addedMessages(turn.messages),
          keyed: null,
        };
        turn.extensions[MEMORY] = kept;
      }
      return;
    }
    const scope = faultedScope(named, owner, turn.faults);
    // The ignore-idempotency-key fault: every resend is a turn of its own.
    const key = turn.faults.ignoreIdempotencyKey ? null : idempotencyKeyOf(turn.header);
    if (key === null) return prepare(turn, scope, null);
    // Only a keyed turn waits for a digest; the others stay synchronous.
    return fingerprintOf(turn.request).then((fingerprint) =>
      prepare(turn, scope, { key: keyedTurnKey(scope.key, key), fingerprint }),
    );
  });

  state.hooks.finish.push((turn, reply, run) => {
    const memory = turn.extensions[MEMORY] as TurnMemory | undefined;
    if (!memory) return;
    const entries = memory.added.map((m) => messageEntry(m, turn.runId));
    // A failed or cancelled turn keeps what the caller said, not an answer the caller never got whole.
    const answered = reply !== null && run.status !== 'failed' && run.status !== 'cancelled';
    if (answered) entries.push(...replyEntries(turn, reply, run));
    if (!memory.keyed) {
      ledger.append(memory.scope.key, entries);
      return;
    }
    const earlier = keys.get(memory.keyed.key);
    // An attempt that got no answer never displaces one that did.
    if (earlier?.answered && !answered) return;
    if (earlier) ledger.remove(memory.scope.key, earlier.seqs);
    const seqs = ledger.append(memory.scope.key, entries);
    const kept: KeyedTurn = { fingerprint: memory.keyed.fingerprint, seqs, answered };
    keys.set(memory.keyed.key, kept);
  });
}
