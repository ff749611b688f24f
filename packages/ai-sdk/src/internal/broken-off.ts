import { isAbortError } from '@ai-sdk/provider-utils';

/** A read error of the answer's body, handed on as the stream's last item. */
export interface BrokenOff {
  brokenOff: unknown;
}

/**
 * The event stream with a broken connection as a last `BrokenOff` item instead of a stream error, so
 * the model can still say what it got and finish. An abort stays an abort.
 */
export function catchBrokenOff<T>(source: ReadableStream<T>): ReadableStream<T | BrokenOff> {
  const reader = source.getReader();
  return new ReadableStream<T | BrokenOff>({
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        if (isAbortError(error)) return controller.error(error);
        controller.enqueue({ brokenOff: error });
        controller.close();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
