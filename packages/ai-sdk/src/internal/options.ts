import { InvalidArgumentError, type SharedV4ProviderOptions } from '@ai-sdk/provider';
import { parseProviderOptions } from '@ai-sdk/provider-utils';
import { z } from 'zod';

// Bounded like every other stranger-controlled input: ids and header values are short strings.
const id = z.string().min(1).max(512);

/**
 * `providerOptions.threadline`. Strict, so a misspelt key is an error rather than an option that
 * silently does nothing.
 */
export const threadlineProviderOptions = z
  .strictObject({
    sessionId: id.optional(),
    userId: id.optional(),
    threadId: id.optional(),
    agentId: id.optional(),
    user: id.optional(),
    apiVersion: z.string().min(1).max(64).optional(),
    headers: z.record(z.string().max(256), z.string().max(8192)).optional(),
    previousResponseId: id.optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
  })
  .refine((value) => Object.keys(value.headers ?? {}).length <= 64, {
    message: 'at most 64 headers',
    path: ['headers'],
  });

export type ThreadlineProviderOptions = z.infer<typeof threadlineProviderOptions>;

/** Reads and validates `providerOptions.threadline`; a wrong type or unknown key throws InvalidArgumentError. */
export async function readThreadlineOptions(
  providerOptions: SharedV4ProviderOptions | undefined,
): Promise<ThreadlineProviderOptions> {
  const raw = providerOptions?.threadline;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new InvalidArgumentError({
      argument: 'providerOptions.threadline',
      message: 'providerOptions.threadline must be an object',
    });
  }
  return (
    (await parseProviderOptions({
      provider: 'threadline',
      providerOptions,
      schema: threadlineProviderOptions,
    })) ?? {}
  );
}
