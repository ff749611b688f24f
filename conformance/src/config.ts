import { readFile } from 'node:fs/promises';
import { DIALECT_NAMES } from '@threadline/protocol';
import { z } from 'zod';
import { ConformanceConfigError } from './runner/errors';
import { CAPABILITIES } from './runner/types';

/**
 * `--config FILE`: a JSON file declaring what the server under test promises and the fixtures that
 * provoke what no generic prompt can. Command-line flags win over it. Unknown keys are an error, so a
 * typo does not silently skip checks.
 */
export const configFileSchema = z.strictObject({
  baseUrl: z.url().optional(),
  /** Prefer the THREADLINE_API_KEY environment variable to keeping a key in a file. */
  apiKey: z.string().min(1).optional(),
  dialect: z.enum(DIALECT_NAMES).optional(),
  model: z.string().optional(),
  /** Declare (`true`) or undeclare (`false`) capabilities on top of the dialect profile. */
  capabilities: z.partialRecord(z.enum(CAPABILITIES), z.boolean()).optional(),
  fixtures: z
    .strictObject({
      model: z.string().min(1).optional(),
      destructivePrompt: z.string().min(1).optional(),
      failingPrompt: z.string().min(1).optional(),
      ingestPath: z.string().min(1).optional(),
      ingestUri: z
        .string()
        .regex(/^(s3|gs):\/\/[^/]+/, 'an s3:// or gs:// URI')
        .optional(),
      ingestEscapingPath: z.string().min(1).optional(),
      effectPrompt: z.string().min(1).optional(),
      effectMarker: z.string().min(1).optional(),
    })
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  filter: z.array(z.string().min(1)).optional(),
  /** Path of a baseline file, relative to the working directory. */
  baseline: z.string().min(1).optional(),
  timeout: z.number().positive().optional(),
  concurrency: z.number().int().min(1).optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;

export function parseConfigFile(text: string, source = 'config'): ConfigFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConformanceConfigError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConformanceConfigError(`${source}: ${issues}`);
  }
  return parsed.data;
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConformanceConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfigFile(text, path);
}
