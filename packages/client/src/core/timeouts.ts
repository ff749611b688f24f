export interface GuardOptions {
  /** No bytes for this long while the consumer waits → fail with `idleError()` and call `onIdle`. 0 = never. */
  idleMs: number;
  idleError: () => Error;
  onIdle: (error: Error) => void;
  /** Aborting it fails a pending read at once with the signal's reason. */
  signal: AbortSignal;
  /** Called once when the body ends, fails or is cancelled. */
  onEnd?: () => void;
  /** Types what a failed read threw (a broken connection); by default it passes through unchanged. */
  readError?: (error: unknown) => unknown;
}

/**
 * Wraps a response body so a read fails fast: on the abort signal, or when no bytes came for `idleMs`.
 * The idle clock runs only while the consumer waits (a slow consumer is not an idle server), and one
 * timer is re-armed lazily rather than one per read, to keep the hot path lean.
 */
export function guardBody(
  body: ReadableStream<Uint8Array>,
  options: GuardOptions,
): ReadableStream<Uint8Array> {
  const { idleMs, signal } = options;
  const reader = body.getReader();
  const useIdle = idleMs > 0 && idleMs < 2 ** 31;
  let waitingSince = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failure: Error | undefined;

  let ended = false;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
    signal.removeEventListener('abort', onAbort);
    if (!ended) {
      ended = true;
      options.onEnd?.();
    }
  };
  const fail = (error: Error) => {
    failure ??= error;
    stop();
    reader.cancel(failure).catch(() => {});
  };
  const onAbort = () =>
    fail(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
  const check = () => {
    timer = undefined;
    if (!waitingSince || failure) return;
    const left = waitingSince + idleMs - Date.now();
    if (left > 0) {
      timer = setTimeout(check, left);
      return;
    }
    const error = options.idleError();
    fail(error);
    options.onIdle(error);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (failure) throw failure;
        waitingSince = Date.now();
        if (useIdle) timer ??= setTimeout(check, idleMs);
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          stop();
          if (failure) throw failure;
          throw options.readError ? options.readError(error) : error;
        } finally {
          waitingSince = 0;
        }
        if (failure) throw failure;
        if (result.done) {
          stop();
          controller.close();
        } else controller.enqueue(result.value);
      },
      cancel(reason) {
        stop();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
