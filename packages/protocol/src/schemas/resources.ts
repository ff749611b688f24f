import { z } from 'zod';
import { stopReasonSchema } from './chat';
import { usageSchema } from './usage';

const int = z.number().int();

export const modelSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('model'),
  created: int.nonnegative(),
  owned_by: z.string(),
});

export const modelListSchema = z.looseObject({
  object: z.literal('list'),
  data: z.array(modelSchema),
});

/** GET /health, as ICE shapes it; every dialect answers with these four fields. */
export const healthSchema = z.looseObject({
  status: z.string().min(1),
  engine: z.string(),
  ledger_status: z.string(),
  cache_status: z.string(),
});

/** POST /v1/ingest takes exactly one source: `file_path`, `uri`, or a request body. */
export const ingestQuerySchema = z.union([
  z.object({ file_path: z.string().min(1) }),
  z.object({
    uri: z.string().regex(/^(s3|gs):\/\/[^/]+(\/.*)?$/, 'uri must be s3://bucket/key or gs://bucket/key'),
  }),
  z.object({ filename: z.string().min(1) }),
]);

export const ingestResponseSchema = z.looseObject({
  status: z.literal('success'),
  message: z.string(),
  tokens_processed: int.nonnegative(),
});

export const fileObjectSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('file'),
  bytes: int.nonnegative(),
  created_at: int.nonnegative(),
  filename: z.string(),
  purpose: z.string(),
  mime_type: z.string().optional(),
});

export const runStatusSchema = z.enum([
  'in_progress',
  'completed',
  'cancelled',
  'failed',
  'awaiting_approval',
  'approval_rejected',
]);

export const runToolCallSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  arguments: z.string(),
  /** `executed` only when the server actually ran the tool; `failed` when it ran and failed. */
  status: z.enum(['executed', 'failed', 'awaiting_approval', 'rejected', 'client']),
  result: z.string().nullish(),
  /** Why a `failed` call failed (the tool's error message). */
  error: z.string().nullish(),
});

export const runRecordSchema = z.looseObject({
  id: z.string().regex(/^run_/),
  object: z.literal('run'),
  status: runStatusSchema,
  stop_reason: stopReasonSchema.nullable(),
  model: z.string(),
  created_at: int.nonnegative(),
  completed_at: int.nonnegative().nullable(),
  usage: usageSchema.nullable(),
  tool_calls: z.array(runToolCallSchema),
  file_ids: z.array(z.string()),
});

export type Model = z.infer<typeof modelSchema>;
export type ModelList = z.infer<typeof modelListSchema>;
export type Health = z.infer<typeof healthSchema>;
export type IngestQuery = z.infer<typeof ingestQuerySchema>;
export type IngestResponse = z.infer<typeof ingestResponseSchema>;
export type FileObject = z.infer<typeof fileObjectSchema>;
export type RunStatus = z.infer<typeof runStatusSchema>;
export type RunToolCall = z.infer<typeof runToolCallSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;
