import { toolNamePattern } from '@threadline/protocol/schemas';
import { z } from 'zod';
import { unsendableHeader } from '../internal/headers';

/** `pattern` or `/pattern/flags`: compiled once when the fixture is added. */
export function compileUserRegex(source: string): RegExp {
  const slashed = /^\/(.*)\/([dgimsuvy]*)$/s.exec(source);
  // A global or sticky regex keeps state between test() calls; matching must not depend on history.
  return slashed ? new RegExp(slashed[1]!, slashed[2]!.replace(/[gy]/g, '')) : new RegExp(source);
}

const regexSource = z.string().refine(
  (source) => {
    try {
      compileUserRegex(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

export const fixtureMatchSchema = z.strictObject({
  /** Equals the last user message's text (both trimmed). */
  userText: z.string().optional(),
  /** The last user message's text contains this. */
  userContains: z.string().optional(),
  /** The last user message's text matches this regex (`source` or `/source/flags`). */
  userRegex: regexSource.optional(),
  /** The resolved model id equals this. */
  model: z.string().optional(),
  /** The turn came through this door (absent: either). */
  door: z.enum(['chat', 'responses']).optional(),
  /** 0-based count of user messages before the last one. */
  turn: z.number().int().nonnegative().optional(),
  /** The conversation ends with a tool result of that tool name and/or containing that text. */
  toolResult: z.strictObject({ name: z.string().optional(), contains: z.string().optional() }).optional(),
});

export const fixtureToolCallSchema = z.strictObject({
  name: z.string().regex(toolNamePattern, 'tool names use letters, digits, _ and -, at most 64'),
  /** An object (JSON-encoded on the wire) or the exact arguments string to send. */
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
});

export const fixtureErrorSchema = z.strictObject({
  status: z.number().int().min(400).max(599),
  /** Sent verbatim (JSON); default: a typed error body in the dialect's shape. */
  body: z.unknown().optional(),
  /** Sent with the error: names and values must be ones HTTP can carry. */
  headers: z
    .record(z.string(), z.string())
    .refine((headers) => unsendableHeader(headers) === null, {
      message: 'header names must be HTTP tokens and values printable (no control characters)',
    })
    .optional(),
  /** Streams only: send this many text chunks, then `data: {"error":…}` and `[DONE]`. */
  afterChunks: z.number().int().nonnegative().optional(),
});

export const fixtureReplySchema = z
  .strictObject({
    text: z.string().optional(),
    toolCalls: z.array(fixtureToolCallSchema).min(1).optional(),
    error: fixtureErrorSchema.optional(),
    /** A server-side tool call; needs server tools configured. */
    serverTool: z
      .strictObject({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) })
      .optional(),
  })
  .refine((r) => r.text !== undefined || r.toolCalls || r.error || r.serverTool, {
    message: 'a reply needs text, toolCalls, error or serverTool',
  });

export const fixtureSchema = z.strictObject({
  id: z.string().min(1).optional(),
  match: fixtureMatchSchema.default({}),
  reply: fixtureReplySchema,
  /** Consumed after this many uses; unlimited when absent. */
  times: z.number().int().min(1).optional(),
});

/** A scripted answer, as written in a config file, passed to `fixtures.add`, or POSTed to the control route. */
export type Fixture = z.input<typeof fixtureSchema>;
export type ParsedFixture = z.output<typeof fixtureSchema>;
export type FixtureMatch = z.output<typeof fixtureMatchSchema>;
export type FixtureReply = z.output<typeof fixtureReplySchema>;
