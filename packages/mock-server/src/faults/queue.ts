import { FAULT_QUEUE_CAP, MAX_QUEUED_FAULT_SPEC } from '../state/limits';
import { type FaultSet, FaultSpecError, parseFaultSpec } from './parse';

export interface QueuedFault {
  spec: string;
  remaining: number;
}

/**
 * One-shot faults for the next N requests, first in first out: `enqueue('rate-limit', 2)` then
 * `enqueue('status=500')` answers two 429s, then one 500, then normally again.
 */
export class FaultQueue {
  #entries: Array<{ spec: string; faults: FaultSet; remaining: number }> = [];

  /**
   * Queues `spec` for the next `count` requests; throws a `FaultSpecError` on a bad or over-long spec or
   * a full queue (refused, not evicting: dropping a queued fault would change what a test scripted).
   */
  enqueue(spec: string, count = 1): void {
    if (!Number.isInteger(count) || count < 1) throw new TypeError('fault count must be a whole number ≥ 1');
    if (spec.length > MAX_QUEUED_FAULT_SPEC) {
      throw new FaultSpecError(`a queued fault spec is at most ${MAX_QUEUED_FAULT_SPEC} characters`);
    }
    if (this.#entries.length >= FAULT_QUEUE_CAP.maxCount) {
      throw new FaultSpecError(
        `the fault queue is full (${FAULT_QUEUE_CAP.maxCount} specs); empty it with DELETE /__threadline/faults`,
      );
    }
    this.#entries.push({ spec, faults: parseFaultSpec(spec), remaining: count });
  }

  /** The faults for the request being handled now, consuming one use; undefined when the queue is empty. */
  take(): FaultSet | undefined {
    const head = this.#entries[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) this.#entries.shift();
    return head.faults;
  }

  list(): QueuedFault[] {
    return this.#entries.map(({ spec, remaining }) => ({ spec, remaining }));
  }

  clear(): void {
    this.#entries = [];
  }

  get size(): number {
    return this.#entries.length;
  }
}
