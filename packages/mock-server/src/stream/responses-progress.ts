import { encodeSSE } from '@threadline/protocol';
import type { Frame } from './pump';

export interface ResponseProgressOptions {
  /** The response id (the run id), as the progress object names it. */
  id: string;
  /** How many `chunk` frames (text and argument deltas) the stream will carry. */
  chunks: number;
  /** The progress-backwards fault: fractions decrease. */
  backwards?: boolean;
}

/**
 * A named `progress` event: chat's progress object under the name `response.progress`. It is outside
 * the Open Responses event set, so it has no `type` and takes no `sequence_number`: the events around it
 * keep numbering 0, 1, 2… as if it were not there.
 */
function progressFrame(id: string, stage: string, fraction: number): Frame {
  const data = { object: 'response.progress', id, stage, fraction: Math.round(fraction * 1000) / 1000 };
  return { kind: 'event', data: encodeSSE(data, { event: 'progress' }) };
}

/**
 * The events of a Responses stream with progress riding along (only when the caller asked): `queued`
 * (0) first, `generating` before the delta at each quarter of the deltas, `done` (1) right before the
 * terminal event. Fractions never decrease (unless the fault says so).
 */
export function* withResponseProgress(
  events: Iterable<Frame>,
  options: ResponseProgressOptions,
): Generator<Frame, void, undefined> {
  const { id, chunks } = options;
  const at = new Set([0, Math.floor(chunks / 4), Math.floor(chunks / 2), Math.floor((3 * chunks) / 4)]);
  const fraction = (value: number) => (options.backwards ? 1 - value : value);
  let sent = 0;
  yield progressFrame(id, 'queued', fraction(0));
  for (const frame of events) {
    if (frame.kind === 'chunk') {
      if (at.has(sent))
        yield progressFrame(id, 'generating', fraction(0.1 + (0.8 * sent) / Math.max(1, chunks)));
      sent++;
    } else if (frame.kind === 'done') {
      yield progressFrame(id, 'done', fraction(1));
    }
    yield frame;
  }
}
