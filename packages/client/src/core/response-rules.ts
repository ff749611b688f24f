/**
 * The stream-structure rules of a Responses stream a client can check on its own, O(1) per event:
 * consecutive `sequence_number`s from 0, one response id, each item added once before anything else
 * names it, and text deltas that add up to their `output_text.done`.
 */
export class StreamRules {
  #sequence = -1;
  #responseId: string | undefined;
  readonly #items = new Set<string>();
  /** Text of each open `output_text` part, keyed `item_id:content_index`. */
  readonly #texts = new Map<string, string>();

  /** What the event breaks, or `undefined` when it keeps the rules. */
  check(event: Record<string, unknown>): string | undefined {
    const { type, sequence_number: n } = event as { type: string; sequence_number?: unknown };
    // A server that numbers no events is not held to the numbering.
    if (n !== undefined && n !== ++this.#sequence)
      return `${type} has sequence_number ${n}, expected ${this.#sequence}`;
    const id = (event.response as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') {
      this.#responseId ??= id;
      if (id !== this.#responseId) return `response id changed from ${this.#responseId} to ${id}`;
    }
    const itemId = type.startsWith('response.output_item.')
      ? (event.item as { id?: string } | undefined)?.id
      : (event.item_id as string | undefined);
    if (itemId === undefined) return;
    if (type === 'response.output_item.added') {
      if (this.#items.has(itemId)) return `output item ${itemId} added twice`;
      this.#items.add(itemId);
      return;
    }
    if (!this.#items.has(itemId)) return `${type} for item ${itemId}, which was never added`;
    if (type === 'response.output_text.delta' || type === 'response.output_text.done') {
      const key = `${itemId}:${event.content_index}`;
      const text = this.#texts.get(key) ?? '';
      if (type === 'response.output_text.delta') this.#texts.set(key, text + event.delta);
      else if (text !== event.text) return `text deltas of item ${itemId} do not add up to its done text`;
    }
  }
}
