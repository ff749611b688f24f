import { ERROR_CODES } from '@threadline/protocol';
import {
  type ChatMessage,
  type CompactResource,
  compactRequestSchema,
  reportedIssue,
} from '@threadline/protocol/schemas';
import type { z } from 'zod';
import { authenticate, resolveIdentity } from '../../auth/identity';
import type { RequestContext } from '../../context';
import { noteBody, readJsonBody } from '../../internal/body';
import { decodeCompaction, encodeCompaction } from '../../internal/compaction';
import { HttpError, modelNotFound } from '../../internal/errors';
import { randomId } from '../../internal/ids';
import { validationError } from '../../internal/validation';
import { JSON_CONTENT_TYPE, type OutboundResponse } from '../../internal/wire';
import { countTokens } from '../../model/tokens';
import type { ServerState } from '../../state';
import { findItem, loadChain } from './chain';
import { type CompactionReader, inputMessages } from './request-items';

const encoder = new TextEncoder();

/**
 * The key compactions are signed with: derived from the server's API-key-id secret under a name no
 * header can carry (a NUL), so with `db` it is the file's and a compaction outlives a restart.
 */
function compactionKey(state: ServerState): Uint8Array {
  return encoder.encode(state.config.auth.keyIds.id('\u0000compaction'));
}

/** Reads the `compaction` input items this server issued to `owner` (both doors use it). */
export function compactionReader(state: ServerState, owner: string): CompactionReader {
  return (content, param) => decodeCompaction(compactionKey(state), owner, content, param);
}

/** Tokens of the conversation as the prompt counts them: a few per message, then its text. */
function conversationTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) {
    const content = (message as { content?: unknown }).content;
    total += 4 + (typeof content === 'string' ? countTokens(content) : 0);
    for (const call of (message as { tool_calls?: Array<{ function: { arguments: string } }> }).tool_calls ??
      []) {
      total += countTokens(call.function.arguments);
    }
  }
  return total;
}

/**
 * POST /v1/responses/compact: the conversation (of `previous_response_id`, then `input`) as one
 * `compaction` item whose `encrypted_content` a later request on /v1/responses sends back in place of
 * that conversation. Nothing is stored and no run is opened: the item carries the conversation itself.
 */
export async function compactResponse(ctx: RequestContext): Promise<OutboundResponse> {
  const { state, request: inbound, faults } = ctx;
  const principal = authenticate(state.config, inbound, faults);
  const read = await readJsonBody(inbound, faults.bodyLimit);
  noteBody(ctx, read);
  const { value } = read;
  const parsed = compactRequestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = reportedIssue(parsed.error.issues) ?? parsed.error.issues[0]!;
    throw validationError({ issues: [issue] } as unknown as z.ZodError, value);
  }
  const request = parsed.data;
  if (!faults.emptySuccess && !state.config.models.includes(request.model)) {
    throw modelNotFound(request.model);
  }
  const identity = resolveIdentity(state.config, principal, inbound, { requireAgent: true });
  let history: ChatMessage[] = [];
  if (request.previous_response_id != null) {
    const found = loadChain(state, request.previous_response_id, identity.owner);
    if (!found) {
      throw new HttpError({
        status: 404,
        code: ERROR_CODES.previousResponseNotFound,
        param: 'previous_response_id',
        message: `Previous response with id '${request.previous_response_id}' not found.`,
      });
    }
    history = found;
  }
  const input = inputMessages(
    request,
    (id) => findItem(state, id, identity.owner),
    compactionReader(state, identity.owner),
  );
  const conversation = [...history, ...input.messages];
  if (conversation.length === 0) {
    throw new HttpError({
      status: 400,
      code: ERROR_CODES.missingParameter,
      param: 'input',
      message: "Nothing to compact: send 'input' or 'previous_response_id'.",
    });
  }
  const inputTokens = conversationTokens(conversation);
  const resource: CompactResource = {
    id: `resp_${randomId(24)}`,
    object: 'response.compaction',
    created_at: Math.floor(Date.now() / 1000),
    output: [
      {
        type: 'compaction',
        id: `cmp_${randomId(24)}`,
        encrypted_content: encodeCompaction(compactionKey(state), identity.owner, conversation),
      },
    ],
    usage: {
      input_tokens: inputTokens,
      output_tokens: 0,
      total_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    },
  };
  return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(resource) };
}
