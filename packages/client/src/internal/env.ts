/** Reads an environment variable where one exists (Node, Bun, Deno with permission); never throws. */
export function readEnv(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const value = env?.[name]?.trim();
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** True in a web page or web worker with a DOM-like global (not Node, Bun, Deno or edge runtimes). */
export function isBrowser(): boolean {
  const g = globalThis as { window?: { document?: unknown }; importScripts?: unknown; navigator?: unknown };
  return (
    (typeof g.window === 'object' && typeof g.window?.document === 'object') ||
    typeof g.importScripts === 'function'
  );
}

export function randomId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return Math.random().toString(36).slice(2) + Date.now().toString(36) + Math.random().toString(36).slice(2);
}
