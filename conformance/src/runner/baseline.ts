import { readFile } from 'node:fs/promises';
import { ConformanceConfigError } from './errors';
import type { CheckResult } from './types';

/**
 * Reads a baseline: the ids of checks expected to fail. JSON (an array of ids, or
 * `{"expectedFailures": [...]}` as the json reporter's `baseline` field writes it) or plain text, one id
 * per line, `#` starting a comment.
 */
export async function loadBaseline(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConformanceConfigError(`cannot read baseline ${path}: ${(error as Error).message}`);
  }
  return parseBaseline(text, path);
}

export function parseBaseline(text: string, source = 'baseline'): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ConformanceConfigError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    const list = Array.isArray(value) ? value : (value as { expectedFailures?: unknown }).expectedFailures;
    if (!Array.isArray(list) || !list.every((id) => typeof id === 'string')) {
      throw new ConformanceConfigError(
        `${source}: expected an array of check ids or {"expectedFailures": [...]}`,
      );
    }
    return list;
  }
  return trimmed
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** Marks expected failures `baselined` and baseline entries that now pass `stale`. */
export function applyBaseline(result: CheckResult, expected: ReadonlySet<string>): CheckResult {
  if (!expected.has(result.id)) return result;
  if (result.status === 'failed' || result.status === 'warning') return { ...result, status: 'baselined' };
  if (result.status === 'passed') {
    return {
      ...result,
      status: 'stale',
      message: 'the baseline expects this check to fail, but it passes: remove it from the baseline',
    };
  }
  return result;
}
