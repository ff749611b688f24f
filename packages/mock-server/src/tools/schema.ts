import { z } from 'zod';

/** What a programmatic server tool implementation receives besides its arguments. */
export interface ServerToolContext {
  runId: string;
  /** The owner the run belongs to (principal and user). */
  owner: string;
}

export type ServerToolImplementation = (
  args: Record<string, unknown>,
  context: ServerToolContext,
) => unknown | Promise<unknown>;

const regexSource = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source, 'iu');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
  }
});

/**
 * A tool the server runs itself. The deterministic model calls it when the last user message matches
 * `trigger` (a case-insensitive regex; its named groups become arguments over `arguments`); a fixture
 * calls it with `reply.serverTool`.
 */
export const serverToolSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a tool name is 1-64 letters, digits, _ or -'),
  description: z.string().optional(),
  /** JSON Schema of the arguments (documentation; the `required` keys are checked). */
  parameters: z.record(z.string(), z.unknown()).optional(),
  /** Destructive tools pause the run for approval before they run. */
  destructive: z.boolean().optional(),
  trigger: regexSource.optional(),
  /** Default arguments when the model calls the tool. */
  arguments: z.record(z.string(), z.unknown()).optional(),
  /** A canned result (any JSON). Without it and without `run`: `{"ok":true,"tool":…,"arguments":…}`. */
  result: z.unknown().optional(),
  /** Programmatic implementation (config objects only, not config files). */
  run: z.custom<ServerToolImplementation>((value) => typeof value === 'function').optional(),
});

export type ServerToolConfig = z.input<typeof serverToolSchema>;
export type ParsedServerTool = z.output<typeof serverToolSchema>;
