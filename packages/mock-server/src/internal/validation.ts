import { ERROR_CODES } from '@threadline/protocol';
import type { z } from 'zod';
import { HttpError } from './errors';

/** `['messages', 0, 'role']` → `messages[0].role`, the way OpenAI names a `param`. */
export function formatParam(path: ReadonlyArray<PropertyKey>): string | null {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || null;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Parameters where the server supports less than the API allows: a value the API accepts is
 * `unsupported_value`, one it would refuse too keeps the ordinary code.
 */
const UNSUPPORTED = new Map<string, (value: unknown) => string | null>([
  [
    'n',
    (value) =>
      typeof value !== 'number' || !Number.isInteger(value)
        ? ERROR_CODES.invalidType
        : value < 1
          ? ERROR_CODES.invalidValue
          : null,
  ],
]);

/** Turns the first zod issue into a 400 naming its `param`, with a code saying what kind of problem it is. */
export function validationError(error: z.ZodError, input: unknown): HttpError {
  const issue = error.issues[0]!;
  const param = formatParam(issue.path);
  if (param === null) {
    return new HttpError({
      status: 400,
      code: ERROR_CODES.invalidType,
      message: 'The request body must be a JSON object.',
    });
  }
  if (valueAt(input, issue.path) === undefined) {
    return new HttpError({
      status: 400,
      code: ERROR_CODES.missingParameter,
      param,
      message: `Missing required parameter: '${param}'.`,
    });
  }
  const narrower = UNSUPPORTED.get(param);
  const code =
    issue.code === 'invalid_type'
      ? ERROR_CODES.invalidType
      : narrower
        ? (narrower(valueAt(input, issue.path)) ?? ERROR_CODES.unsupportedValue)
        : ERROR_CODES.invalidValue;
  const detail = issue.message === 'Invalid input' ? 'not an accepted value' : issue.message;
  return new HttpError({ status: 400, code, param, message: `Invalid '${param}': ${detail}.` });
}
