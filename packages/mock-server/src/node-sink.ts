import type { ServerResponse } from 'node:http';
import type { FrameSink } from './stream/pump';

/** Text frames are joined up to this size before a write; a bigger batch goes out at once. */
const BATCH_CHARS = 16_384;

/**
 * A node sink that joins the text frames written in one tick into one write (one chunk on the wire):
 * an unpaced stream goes out in a few writes instead of one per frame. Frames stay whole, in order; a
 * paced frame is alone in its tick, so it still goes out on its own; end and a drop flush first.
 */
export function batchingSink(res: ServerResponse): FrameSink {
  let pending = '';
  let scheduled = false;
  const flush = (): boolean => {
    scheduled = false;
    if (pending === '' || res.destroyed) return true;
    const text = pending;
    pending = '';
    return res.write(text);
  };
  const flushLater = () => {
    scheduled = false;
    flush();
  };
  return {
    joinsFrames: true,
    write(data) {
      if (typeof data !== 'string') {
        flush();
        return res.write(data);
      }
      pending += data;
      if (pending.length >= BATCH_CHARS) return flush();
      if (!scheduled) {
        scheduled = true;
        process.nextTick(flushLater);
      }
      return true;
    },
    end() {
      const text = pending;
      pending = '';
      res.end(text === '' ? undefined : text);
    },
    // Flush what was written, then close the socket mid-message: the client gets every frame sent so
    // far and then a broken stream (no chunked terminator, no [DONE]).
    destroy() {
      flush();
      res.socket?.destroySoon();
    },
  };
}
