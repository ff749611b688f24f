import type { FaultSet } from '../faults/parse';
import { type Frame, FramePump } from './pump';

/** The piece size a faulted download is sent in: `stall-after=<n>` and `drop-after=<n>` count these. */
export const DOWNLOAD_PIECE_BYTES = 16 * 1024;

const EMPTY = new Uint8Array(0);

function* pieces(data: Uint8Array): Generator<Frame> {
  for (let at = 0; at < data.byteLength; at += DOWNLOAD_PIECE_BYTES) {
    yield { kind: 'chunk', data: data.subarray(at, at + DOWNLOAD_PIECE_BYTES) };
  }
  // An empty end marker: a fault whose n is past the last piece fires here, after the whole file and
  // before the body ends, so it stays observable (as a chat stream fault fires before [DONE]).
  yield { kind: 'done', data: EMPTY };
}

/**
 * A pump sending `data` piece by piece when a stall or drop fault is in force, else null (the bytes
 * then go out whole, as one write with a content-length). Only those two faults apply to downloads.
 */
export function faultedDownload(data: Uint8Array, faults: FaultSet): FramePump | null {
  const { stallAfter, dropAfter } = faults;
  if (stallAfter === undefined && dropAfter === undefined) return null;
  return new FramePump(pieces(data), {
    delayMs: 0,
    faults: { stallAfter, dropAfter },
    // Never sent: error frames belong to chat streams, and slicing bytes cannot fail.
    errorFrame: () => EMPTY,
    malformedFrame: () => EMPTY,
    failureFrame: () => EMPTY,
    doneFrame: () => EMPTY,
    onEnd: () => {},
  });
}
