import { z } from 'zod';

/** Function names as OpenAI accepts them: letters, digits, `_` and `-`, at most 64. */
export const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

export const functionToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(toolNamePattern, 'tool names use letters, digits, _ and -, at most 64'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

export const namedToolChoiceSchema = z.object({
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1) }),
});

export const toolChoiceSchema = z.union([z.enum(['auto', 'none', 'required']), namedToolChoiceSchema]);

export type FunctionTool = z.infer<typeof functionToolSchema>;
export type NamedToolChoice = z.infer<typeof namedToolChoiceSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
