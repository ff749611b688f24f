export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Anything with these four methods (console, pino, winston…). */
export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export interface LogTarget {
  logLevel?: LogLevel | undefined;
  logger?: Logger | undefined;
}

/** Logs when the level allows it. Callers pass only redacted data (see redact.ts). */
export function log(
  target: LogTarget,
  level: Exclude<LogLevel, 'off'>,
  message: string,
  data?: unknown,
): void {
  if (RANK[level] > RANK[target.logLevel ?? 'warn']) return;
  const logger = target.logger ?? console;
  if (data === undefined) logger[level](`[threadline] ${message}`);
  else logger[level](`[threadline] ${message}`, data);
}

export const isLogLevel = (value: unknown): value is LogLevel => typeof value === 'string' && value in RANK;
