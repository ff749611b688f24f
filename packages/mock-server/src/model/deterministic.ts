import type { Attachment, Decision, Turn } from '../engine/types';
import { lastUserMessage, trailingToolResults } from '../engine/view';
import { exampleFromSchema } from './schema-example';
import { decideToolCalls } from './tool-calls';

/** The prompt that makes the model answer with its effective instructions. */
export const INSTRUCTIONS_PROMPT = '/instructions';

/** Echoed text longer than this is cut and marked with `…`, so a huge prompt does not make a huge reply. */
export const ECHO_LIMIT = 4096;

const clip = (text: string, limit = ECHO_LIMIT) => (text.length > limit ? `${text.slice(0, limit)}…` : text);

/**
 * The memory passage a reply quotes is cut shorter: it is often an earlier reply of this model, quoting
 * a passage in turn, and a session asking the same question again and again (a load test, say) would
 * otherwise store longer and longer replies.
 */
export const PASSAGE_LIMIT = 512;

function describeAttachment(a: Attachment): string {
  const name = a.kind === 'file' && a.filename ? `${a.filename} ` : '';
  if (a.url) return `${a.kind} ${a.url}`;
  return `${a.kind} ${name}${a.fileId} (${a.mimeType ?? 'application/octet-stream'}, ${a.bytes ?? 0} bytes)`;
}

/**
 * The default reply, a pure function of the turn (docs/mock-server.md, "The deterministic model"):
 * 1. The conversation ends with tool results → `<name> returned <content>`, one line per result.
 * 2. The last user message is exactly `/instructions` → the effective instructions.
 * 3. Otherwise → `You said: <last user text>`, then ` Attached: …` listing images and files, then
 *    ` From memory: <best retrieved passage>` when memory supplied context.
 *    No user text and nothing attached → `Hello.`
 * Echoed user text and tool results are cut at ECHO_LIMIT characters, the memory passage at
 * PASSAGE_LIMIT (then `…`).
 */
export function replyText(turn: Turn): string {
  const results = trailingToolResults(turn.messages);
  if (results.length > 0) return results.map((r) => `${r.name} returned ${clip(r.content)}`).join('\n');
  const user = lastUserMessage(turn.messages);
  const text = user?.text.trim() ?? '';
  if (text === INSTRUCTIONS_PROMPT) return turn.instructions;
  const attachments = user?.attachments ?? [];
  let reply = text ? `You said: ${clip(text)}` : attachments.length > 0 ? 'You sent attachments.' : 'Hello.';
  if (attachments.length > 0) reply += ` Attached: ${attachments.map(describeAttachment).join('; ')}.`;
  if (turn.retrieved.length > 0) reply += ` From memory: ${clip(turn.retrieved[0]!, PASSAGE_LIMIT)}`;
  return reply;
}

/** Shapes the reply text for `response_format`: a JSON object, or a value fitting the given schema. */
function formatted(turn: Turn, text: string): string {
  const format = turn.request.responseFormat;
  if (!format || format.type === 'text') return text;
  if (format.type === 'json_object') return JSON.stringify({ reply: text });
  const user = lastUserMessage(turn.messages)?.text ?? '';
  return JSON.stringify(exampleFromSchema(format.schema ?? { type: 'object' }, user));
}

/** What the deterministic model does with a turn no hook or fixture answered. */
export function modelDecision(turn: Turn): Decision {
  const toolCalls = decideToolCalls(turn);
  if (toolCalls) return { toolCalls, source: 'model' };
  return { text: formatted(turn, replyText(turn)), source: 'model' };
}
