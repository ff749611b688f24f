import { parseErrorBody } from '@threadline/protocol';
import type { z } from 'zod';
import type { Exchange, StreamExchange } from './http';

/** A check's verdict: what the protocol expects and what the server did. */
export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(message);
    this.name = 'CheckFailure';
  }
}

/**
 * Thrown by a check whose ground is broken: the exchange it builds on failed in a way another check
 * (`by`) judges — the plain stream did not open, the approval pause did not come. When `by` failed in
 * this run the check is reported `blocked by <by>`; otherwise (it passed, or was not selected) this is
 * an ordinary failure of the check, with this message. Name `by` in the check's `after` so it runs first.
 */
export class CheckBlocked extends CheckFailure {
  constructor(
    readonly by: string,
    message: string,
    expected: string,
    got: string,
  ) {
    super(message, expected, got);
    this.name = 'CheckBlocked';
  }
}

/** `ensure`, but what breaks is the ground `by` judges: the check is blocked when `by` failed. */
export function ensureGround(
  condition: unknown,
  by: string,
  message: string,
  expected: string,
  got: unknown,
): asserts condition {
  if (!condition) throw new CheckBlocked(by, message, expected, show(got));
}

/** Thrown by a check that finds at run time it cannot test this server (a fixture it lacks, say). */
export class CheckSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CheckSkipped';
  }
}

const MAX_SHOWN = 400;

/** A value as a report shows it: JSON, cut to a readable length. */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

export function ensure(
  condition: unknown,
  message: string,
  expected: string,
  got: unknown,
): asserts condition {
  if (!condition) throw new CheckFailure(message, expected, show(got));
}

/** Validates with a protocol schema; the failure names the first issues and their paths. */
export function ensureSchema<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new CheckFailure(
    `${what} does not match the protocol schema: ${issues}`,
    `a valid ${what}`,
    show(value),
  );
}

export function ensureStatus(exchange: Exchange | StreamExchange, status: number, what: string): void {
  if (exchange.status === status) return;
  const body = 'text' in exchange && exchange.text !== undefined ? ` ${show(exchange.text)}` : '';
  throw new CheckFailure(
    `${what}: expected HTTP ${status}`,
    `HTTP ${status}`,
    `HTTP ${exchange.status}${body}`,
  );
}

export function ensureOk(exchange: Exchange | StreamExchange, what: string): void {
  ensureStatus(exchange, 200, what);
}

/** The checks that judge error bodies as such; other checks that need a field of one are blocked by them. */
export const ERROR_GROUND = { shape: 'errors.shape', codeType: 'errors.code-type' } as const;

/** The raw `code` member of an error body (nested or flat), as sent. */
export function rawErrorCode(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const inner = record.error;
  if (typeof inner === 'object' && inner !== null) return (inner as Record<string, unknown>).code;
  return record.code;
}

/**
 * An error answer: the status, and an error body (any of the three shapes, read leniently) whose code
 * and param match when given. Returns the parsed error. A body this cannot read a wanted field from —
 * not an error body at all, a shape without the field, a numeric code — blocks the check by
 * `errors.shape` or `errors.code-type`, which judge exactly that (and fail it when they failed too).
 */
export function ensureErrorAnswer(
  exchange: Exchange,
  expected: { status: number; code?: string; param?: string },
  what: string,
) {
  const want = [`HTTP ${expected.status}`];
  if (expected.code) want.push(`code ${expected.code}`);
  if (expected.param) want.push(`param ${expected.param}`);
  const wanted = want.join(', ');
  const got = `HTTP ${exchange.status} ${show(exchange.text)}`;
  if (exchange.status !== expected.status) throw new CheckFailure(`${what}: wrong status`, wanted, got);
  const body = exchange.json ?? exchange.text;
  const error = parseErrorBody(body, exchange.status);
  const unreadable = (field: string) =>
    new CheckBlocked(ERROR_GROUND.shape, `${what}: the error body carries no ${field}`, wanted, got);
  if (error.shape === 'unknown') {
    throw new CheckBlocked(ERROR_GROUND.shape, `${what}: the body is not an error body`, wanted, got);
  }
  if (expected.code && error.code !== expected.code) {
    if (typeof rawErrorCode(body) === 'number') {
      throw new CheckBlocked(ERROR_GROUND.codeType, `${what}: the code is a number`, wanted, got);
    }
    if (error.shape === 'string') throw unreadable('code');
    throw new CheckFailure(`${what}: wrong code`, wanted, got);
  }
  if (expected.param && error.param !== expected.param) {
    if (error.shape === 'string') throw unreadable('param');
    throw new CheckFailure(`${what}: wrong param`, wanted, got);
  }
  return error;
}
