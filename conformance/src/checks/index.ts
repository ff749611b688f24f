import type { Check, CheckMeta } from '../runner/types';
import { APPROVAL_CHECKS } from './approvals';
import { AUTH_CHECKS } from './auth';
import { CORS_CHECKS } from './cors';
import { FILES_LIMITS_CHECKS } from './files-limits';
import { INGEST_CHECKS } from './ingest';
import { MEMORY_CHECKS } from './memory';
import { MEMORY_RESEND_CHECKS } from './memory-resend';
import { PROGRESS_CHECKS } from './progress';
import { RESPONSES_WIRE_CHECKS } from './responses';
import { RESPONSES_CONTINUATION_CHECKS, RESPONSES_ERROR_CHECKS } from './responses-errors';
import { RESPONSES_TOOL_CHECKS } from './responses-tools';
import { RESPONSES_WEBSOCKET_CHECKS } from './responses-websocket';
import { STREAM_ERROR_CHECKS } from './stream-errors';
import { TOOL_CHOICE_CHECKS } from './tool-choice';
import { WIRE_CHECKS } from './wire';
import { ERROR_CHECKS } from './wire-errors';

/** Every check, in catalogue order (the runner sorts by id to shard). */
export const CATALOGUE: readonly Check[] = [
  ...WIRE_CHECKS,
  ...ERROR_CHECKS,
  ...CORS_CHECKS,
  ...PROGRESS_CHECKS,
  ...STREAM_ERROR_CHECKS,
  ...TOOL_CHOICE_CHECKS,
  ...APPROVAL_CHECKS,
  ...MEMORY_CHECKS,
  ...MEMORY_RESEND_CHECKS,
  ...AUTH_CHECKS,
  ...INGEST_CHECKS,
  ...FILES_LIMITS_CHECKS,
  ...RESPONSES_WIRE_CHECKS,
  ...RESPONSES_ERROR_CHECKS,
  ...RESPONSES_TOOL_CHECKS,
  ...RESPONSES_CONTINUATION_CHECKS,
  ...RESPONSES_WEBSOCKET_CHECKS,
];

/** The catalogue without the code: what docs and reporters list. */
export const CHECKS: readonly CheckMeta[] = CATALOGUE.map(({ run: _run, ...meta }) => meta);
