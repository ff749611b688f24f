import { z } from 'zod';
import { responsesStreamEventSchema } from './responses-events';
import { responsesRequestSchema } from './responses-request';

/** HTTP streaming fields have no meaning on a socket (every turn streams), so they are refused. */
const notOnSocket = (field: string) =>
  z.undefined({ error: `${field} is not sent in a WebSocket response.create message` }).optional();

/**
 * A client message on the `/v1/responses` WebSocket: `{ type: "response.create", ...request }`. One
 * socket carries several turns in sequence; `previous_response_id` chains them.
 */
export const responseCreateMessageSchema = responsesRequestSchema.extend({
  type: z.literal('response.create'),
  stream: notOnSocket('stream'),
  stream_options: notOnSocket('stream_options'),
  background: notOnSocket('background'),
});

/** A failure told on the socket, outside any stream: an HTTP-style `status` and a typed error. */
export const webSocketErrorMessageSchema = z.looseObject({
  type: z.literal('error'),
  status: z.number().int().min(400).max(599),
  error: z.looseObject({
    code: z.string().min(1),
    message: z.string(),
    type: z.string().optional(),
    param: z.string().nullish(),
  }),
});

/**
 * What the server sends on the socket: the same events as an SSE stream, or an error message. Both
 * have `type: "error"`; the socket error is told by its `status`.
 */
export const webSocketServerMessageSchema = z.union([
  webSocketErrorMessageSchema,
  responsesStreamEventSchema,
]);

export type ResponseCreateMessage = z.infer<typeof responseCreateMessageSchema>;
export type WebSocketErrorMessage = z.infer<typeof webSocketErrorMessageSchema>;
export type WebSocketServerMessage = z.infer<typeof webSocketServerMessageSchema>;
