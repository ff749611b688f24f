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

/**
 * An error answer: the status, and an error body (any of the three shapes) whose code and param match
 * when given. Returns the parsed error.
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
  const error = parseErrorBody(exchange.json ?? exchange.text, exchange.status);
  if (error.shape === 'unknown')
    throw new CheckFailure(`${what}: the body is not an error body`, wanted, got);
  if (expected.code && error.code !== expected.code)
    throw new CheckFailure(`${what}: wrong code`, wanted, got);
  if (expected.param && error.param !== expected.param) {
    throw new CheckFailure(`${what}: wrong param`, wanted, got);
  }
  return error;
}
