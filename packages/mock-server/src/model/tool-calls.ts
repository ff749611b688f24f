import type { FunctionTool } from '@threadline/protocol/schemas';
import type { DecidedToolCall, Turn } from '../engine/types';
import { lastUserMessage } from '../engine/view';
import { argumentsFromSchemas } from './schema-example';
import { wholeWordMatches } from './text-scan';

const VERB_PREFIX =
  /^(get|set|list|create|delete|remove|update|fetch|search|find|run|lookup|check|read|write|send)$/i;

/**
 * The words that count as naming a tool: its name, the name with `_`/`-` as spaces, and for names of
 * several parts the name without a leading verb (`get_current_weather` → `current weather`, `weather`).
 */
export function toolAliases(name: string): string[] {
  const lower = name.toLowerCase();
  const parts = lower.split(/[_-]+/).filter(Boolean);
  const aliases = new Set([lower, parts.join(' ')]);
  if (parts.length > 1) {
    const rest = VERB_PREFIX.test(parts[0]!) ? parts.slice(1) : parts;
    aliases.add(rest.join(' '));
    const last = parts[parts.length - 1]!;
    if (last.length >= 3) aliases.add(last);
  }
  return [...aliases].filter((alias) => alias.length > 0);
}

/** The tools the text names, in `tools` order (one scan of the text for all tools' aliases). */
export function mentionedTools(tools: readonly FunctionTool[], text: string): FunctionTool[] {
  const aliases = tools.map((tool) => toolAliases(tool.function.name));
  const found = wholeWordMatches(text, aliases.flat());
  return tools.filter((_, i) => aliases[i]!.some((alias) => found.has(alias)));
}

/**
 * The deterministic model's client-tool rule (docs/mock-server.md):
 * - no tools, or `tool_choice: "none"` → no call;
 * - a named `tool_choice` → always that tool;
 * - `"required"` → the tools the last user message names, else the first tool;
 * - `"auto"` (default) → the tools the last user message names; none when it names none, and none when
 *   the conversation ends with a tool result (the model then answers in text using it).
 * Several named tools are called in parallel unless `parallel_tool_calls` is false (then only the first).
 * With the `ignore-tool-choice` fault, `tool_choice` is treated as absent; with `ignore-required`,
 * `"required"` is treated as `"auto"`.
 */
export function decideToolCalls(turn: Turn): DecidedToolCall[] | null {
  const tools = turn.tools;
  if (tools.length === 0) return null;
  let choice = turn.faults.ignoreToolChoice ? 'auto' : (turn.request.toolChoice ?? 'auto');
  if (choice === 'required' && turn.faults.ignoreRequired) choice = 'auto';
  if (choice === 'none') return null;
  const text = lastUserMessage(turn.messages)?.text ?? '';
  const single = !turn.request.parallelToolCalls;
  let chosen: FunctionTool[];
  if (typeof choice === 'object') {
    const named = tools.find((tool) => tool.function.name === choice.function.name);
    if (!named) return null;
    chosen = [named];
  } else if (choice === 'required') {
    const named = mentionedTools(tools, text);
    chosen = named.length > 0 ? named : [tools[0]!];
  } else {
    if (turn.messages[turn.messages.length - 1]?.role === 'tool') return null;
    chosen = mentionedTools(tools, text);
    if (chosen.length === 0) return null;
  }
  if (single) chosen = chosen.slice(0, 1);
  const args = argumentsFromSchemas(
    chosen.map((tool) => tool.function.parameters),
    text,
  );
  return chosen.map((tool, i) => ({ name: tool.function.name, arguments: args[i]! }));
}
