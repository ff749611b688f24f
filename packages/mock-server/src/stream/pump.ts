import type { FaultSet } from '../faults/parse';

/** What a frame carries: SSE text (encoded by the sink, once) or binary pieces (a faulted download). */
export type FrameData = string | Uint8Array;

/** One SSE frame (or download piece). Only `chunk` frames count for the `*-after=<n>` faults. */
export interface Frame {
  kind: 'chunk' | 'event' | 'error' | 'done';
  data: FrameData;
}

/** Where frames go: a Web `ReadableStream` controller, a node `ServerResponse` or a WebSocket relay. */
export interface FrameSink {
  /** Writes one whole frame; false asks the pump to wait for `resume()`. */
  write(data: FrameData): boolean;
  end(): void;
  /** Drops the connection mid-stream (the drop-after fault). */
  destroy(reason: Error): void;
  /**
   * The sink joins the frames written in one tick into one write anyway (the node sink), so a source
   * may hand it frames already joined. Others (a Web stream's chunks, WebSocket messages) keep frames
   * apart.
   */
  readonly joinsFrames?: boolean;
}

/**
 * How a stream ended: `delivered` (every frame sent; the turn decides completed or failed), `failed`
 * (an injected error or malformed frame), `cancelled` (the client left, or the connection was dropped).
 */
export type StreamEnd = 'delivered' | 'failed' | 'cancelled';

export interface PumpOptions {
  /** Pause before every frame after the first. */
  delayMs: number;
  faults: FaultSet;
  /** The terminal error frame the error-frame-after fault sends. */
  errorFrame(): FrameData;
  /** The non-JSON frame the malformed-chunk-after fault sends. */
  malformedFrame(): FrameData;
  /** The terminal error frame when producing the stream itself failed (a bug in a hook, say). */
  failureFrame(error: unknown): FrameData;
  /** The last frame of a stream a fault ended (built when it is sent). */
  doneFrame(): FrameData;
  onEnd(end: StreamEnd): void;
}

type StreamFault = 'drop' | 'stall' | 'error-frame' | 'malformed';

/** The stream fault that fires first (lowest n; ties in this order), or null. */
function firstFault(faults: FaultSet): { kind: StreamFault; after: number } | null {
  const candidates: Array<[StreamFault, number | undefined]> = [
    ['drop', faults.dropAfter],
    ['stall', faults.stallAfter],
    ['error-frame', faults.errorFrameAfter],
    ['malformed', faults.malformedChunkAfter],
  ];
  let best: { kind: StreamFault; after: number } | null = null;
  for (const [kind, after] of candidates) {
    if (after !== undefined && (best === null || after < best.after)) best = { kind, after };
  }
  return best;
}

/**
 * Moves frames from a lazy source to a sink: honours backpressure, pacing and the stream faults.
 * With no delay it writes synchronously until the sink pushes back, so the hot path has no timer and
 * no await per frame. Each frame is one sink write, whole; the node sink may join a tick's frames
 * into one socket write (docs/mock-server.md, Pacing).
 */
export class FramePump {
  readonly #source: Iterator<Frame>;
  readonly #options: PumpOptions;
  readonly #fault: { kind: StreamFault; after: number } | null;
  #sink: FrameSink | null = null;
  #state: 'idle' | 'running' | 'paused' | 'waiting' | 'stalled' | 'ended' = 'idle';
  #chunks = 0;
  #framesWritten = 0;
  #held: Frame | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(source: Iterator<Frame>, options: PumpOptions) {
    this.#source = source;
    this.#options = options;
    this.#fault = firstFault(options.faults);
  }

  attach(sink: FrameSink): void {
    if (this.#sink) throw new Error('a frame pump drives one sink');
    this.#sink = sink;
    this.#state = 'running';
    this.#guarded(() => this.#run());
  }

  /** The sink can take more. */
  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    this.#guarded(() => this.#run());
  }

  /**
   * Whether the source may join consecutive frames (the same bytes in fewer frames): the sink joins
   * them anyway, and nothing sees frames one by one (no delay, no fault that fires after n chunks).
   */
  get framesJoinable(): boolean {
    return this.#sink?.joinsFrames === true && this.#options.delayMs === 0 && this.#fault === null;
  }

  /** Whether the stream is over (delivered, failed or cancelled): its run is recorded. */
  get ended(): boolean {
    return this.#state === 'ended';
  }

  /** The client went away: stop producing. */
  cancel(): void {
    if (this.#state === 'ended') return;
    this.#end('cancelled');
  }

  #end(end: StreamEnd): void {
    this.#state = 'ended';
    clearTimeout(this.#timer);
    try {
      this.#source.return?.();
      this.#options.onEnd(end);
    } catch (error) {
      // The stream is over either way; a failing end hook must not take the server down with it.
      console.error('threadline mock-server: a stream end hook failed:', error);
    }
  }

  /** Runs a step of the pump; if producing frames throws, the stream ends with an error frame. */
  #guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (this.#state === 'ended') return;
      try {
        this.#sink!.write(this.#options.failureFrame(error));
        this.#sink!.write(this.#options.doneFrame());
        this.#sink!.end();
      } catch {
        // The sink is gone too: nothing more can be told to the client.
      }
      this.#end('failed');
    }
  }

  #run(): void {
    const sink = this.#sink!;
    const { delayMs } = this.#options;
    while (this.#state === 'running') {
      const next = this.#source.next();
      if (next.done) {
        sink.end();
        this.#end('delivered');
        return;
      }
      const frame = next.value;
      if (frame.kind === 'chunk' && this.#fault !== null && this.#chunks === this.#fault.after) {
        this.#fire(sink);
        return;
      }
      if (frame.kind === 'done') {
        // Fewer chunks than the fault's n: it still fires, before [DONE], so it stays observable.
        if (this.#fault !== null) {
          this.#fire(sink);
          return;
        }
        if (this.#options.faults.noDone) {
          sink.end();
          this.#end('delivered');
          return;
        }
      }
      if (delayMs > 0 && this.#framesWritten > 0) {
        // Paced: hold this frame and write it when the delay is over.
        this.#held = frame;
        this.#state = 'waiting';
        this.#timer = setTimeout(() => this.#afterDelay(), delayMs);
        return;
      }
      this.#write(sink, frame);
    }
  }

  #afterDelay(): void {
    if (this.#state !== 'waiting') return;
    const frame = this.#held!;
    this.#held = null;
    this.#state = 'running';
    this.#guarded(() => {
      this.#write(this.#sink!, frame);
      this.#run();
    });
  }

  #write(sink: FrameSink, frame: Frame): void {
    if (frame.kind === 'chunk') this.#chunks++;
    this.#framesWritten++;
    const more = sink.write(frame.data);
    if (!more && this.#state === 'running') this.#state = 'paused';
  }

  #fire(sink: FrameSink): void {
    const fault = this.#fault!;
    const options = this.#options;
    switch (fault.kind) {
      case 'drop':
        sink.destroy(new Error(`injected fault: connection dropped after ${fault.after} chunks`));
        this.#end('cancelled');
        return;
      case 'stall':
        // Nothing more is sent and nothing is closed: the client's stall timeout has to act.
        this.#state = 'stalled';
        return;
      case 'error-frame':
        sink.write(options.errorFrame());
        break;
      case 'malformed':
        sink.write(options.malformedFrame());
        break;
    }
    if (!options.faults.noDone) sink.write(options.doneFrame());
    sink.end();
    this.#end('failed');
  }
}

const HIGH_WATER_MARK = 64;
const encoder = new TextEncoder();

/**
 * A Web stream fed by a pump: backpressure through `pull`, cancellation through `cancel`. A dropped
 * connection errors the stream only once the client has read every frame sent before the drop
 * (erroring at once would discard them).
 */
export function pumpToReadableStream(pump: FramePump): ReadableStream<Uint8Array> {
  let dropped: Error | null = null;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        pump.attach({
          write(data) {
            controller.enqueue(typeof data === 'string' ? encoder.encode(data) : data);
            return (controller.desiredSize ?? 1) > 0;
          },
          end() {
            controller.close();
          },
          destroy(reason) {
            if (controller.desiredSize === HIGH_WATER_MARK) controller.error(reason);
            else dropped = reason;
          },
        });
      },
      pull(controller) {
        if (dropped && controller.desiredSize === HIGH_WATER_MARK) controller.error(dropped);
        else pump.resume();
      },
      cancel() {
        pump.cancel();
      },
    },
    { highWaterMark: HIGH_WATER_MARK },
  );
}
