import { ConfigError } from '../config';
import type { Turn } from '../engine/types';
import { lastUserMessage } from '../engine/view';
import { HttpError } from '../internal/errors';
import { BoundedMap, type StoreCap, type StoreUsage } from '../state/bounded';
import { DEFAULT_STORE_CAPS } from '../state/limits';
import type { ParsedServerTool, ServerToolContext } from './schema';

/** One time a server tool actually ran. Tests count these to prove a rejected call ran nothing. */
export interface ToolExecution {
  tool: string;
  arguments: Record<string, unknown>;
  result: string;
  /** The error the tool threw (then `result` is empty), else null. */
  error: string | null;
  runId: string;
  owner: string;
  /** The tenant of the caller (agent-token mode), else null: a tenant admin sees its tenant's runs. */
  tenant: string | null;
  /** ISO time. */
  at: string;
}

/** What running a tool came to: its result text, or the error it failed with. */
export type ToolOutcome = { result: string; error: null } | { result: null; error: string };

/** The configured server tools, their triggers, and a log of every execution. */
export class ServerTools {
  readonly #tools = new Map<string, ParsedServerTool>();
  readonly #triggers: Array<{ tool: ParsedServerTool; pattern: RegExp }> = [];
  /** Bounded by count and bytes like every in-memory store: the oldest executions are dropped first. */
  readonly #executions: BoundedMap<ToolExecution>;
  #executionSeq = 0;

  constructor(tools: readonly ParsedServerTool[], logCap: StoreCap = DEFAULT_STORE_CAPS.toolRuns) {
    this.#executions = new BoundedMap(logCap);
    for (const tool of tools) {
      // A second tool of the same name would silently replace the first.
      if (this.#tools.has(tool.name)) {
        throw new ConfigError(`invalid mock server config: serverTools: duplicate tool name '${tool.name}'`);
      }
      this.#tools.set(tool.name, tool);
      if (tool.trigger) this.#triggers.push({ tool, pattern: new RegExp(tool.trigger, 'iu') });
    }
  }

  get(name: string): ParsedServerTool | undefined {
    return this.#tools.get(name);
  }

  /** The tools as a caller may see them (no implementations). */
  list(): Array<{ name: string; description: string | null; destructive: boolean; trigger: string | null }> {
    return [...this.#tools.values()].map((tool) => ({
      name: tool.name,
      description: tool.description ?? null,
      destructive: tool.destructive === true,
      trigger: tool.trigger ?? null,
    }));
  }

  /** The tool call the deterministic model makes for this turn's last user message, if any. */
  triggered(turn: Turn): { name: string; arguments: Record<string, unknown> } | null {
    const last = turn.messages[turn.messages.length - 1];
    if (last?.role !== 'user') return null;
    const text = lastUserMessage(turn.messages)?.text ?? '';
    for (const { tool, pattern } of this.#triggers) {
      const match = pattern.exec(text);
      if (!match) continue;
      const args: Record<string, unknown> = { ...(tool.arguments ?? {}) };
      for (const [key, value] of Object.entries(match.groups ?? {}))
        if (value !== undefined) args[key] = value;
      return { name: tool.name, arguments: args };
    }
    return null;
  }

  /**
   * The tool, if `args` has every `required` key; else a 500 (a config or fixture bug). Checked before
   * a destructive call pauses too, so an approval is never issued for a call that cannot run.
   */
  check(name: string, args: Record<string, unknown>): ParsedServerTool {
    const tool = this.#tools.get(name);
    if (!tool) throw new HttpError({ status: 500, message: `Unknown server tool '${name}'.` });
    const required = (tool.parameters?.required as unknown[] | undefined) ?? [];
    const missing = required.filter((key) => typeof key === 'string' && !(key in args));
    if (missing.length > 0) {
      throw new HttpError({
        status: 500,
        message: `Server tool '${name}' was called without its required argument(s) ${missing.join(', ')}.`,
      });
    }
    return tool;
  }

  /**
   * Runs a tool (counted) and returns its result as text (JSON unless the result is a string), or the
   * error it threw: a failing tool is an outcome of the turn, not a server error. A call the config
   * cannot run at all (unknown tool, missing argument) is still a 500 from check().
   */
  async execute(
    name: string,
    args: Record<string, unknown>,
    context: ServerToolContext,
    tenant: string | null = null,
  ): Promise<ToolOutcome> {
    const tool = this.check(name, args);
    let outcome: ToolOutcome;
    try {
      const value = tool.run
        ? await tool.run(args, context)
        : tool.result !== undefined
          ? tool.result
          : { ok: true, tool: name, arguments: args };
      outcome = { result: typeof value === 'string' ? value : JSON.stringify(value ?? null), error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = { result: null, error: message || `${name} failed.` };
    }
    const execution: ToolExecution = {
      tool: name,
      arguments: args,
      result: outcome.result ?? '',
      error: outcome.error,
      runId: context.runId,
      owner: context.owner,
      tenant,
      at: new Date().toISOString(),
    };
    const text = outcome.result ?? outcome.error ?? '';
    const bytes = 256 + text.length + JSON.stringify(args).length + context.owner.length;
    this.#executions.set(String(++this.#executionSeq), execution, bytes);
    return outcome;
  }

  /** Every execution since start or the last reset, oldest first. */
  get executions(): readonly ToolExecution[] {
    return this.#executions.values();
  }

  clearExecutions(): void {
    this.#executions.clear();
  }

  /** How full the execution log is (GET /health). */
  usage(): StoreUsage {
    return this.#executions.usage();
  }
}
