import { quotedPieces } from '../model/tokens';

/**
 * A door's frame endings for a reply's pieces (each piece's JSON string and what follows it to the end of
 * its frame), remembered for the last pieces it streamed: a fixture's reply is streamed again and again.
 * A frame built from fewer parts is also cheaper to flatten when the joined frames are written.
 */
export function pieceEndings(
  ending: (quoted: string) => string,
): (pieces: readonly string[]) => readonly string[] {
  let last: { pieces: readonly string[]; ends: readonly string[] } | null = null;
  return (pieces) => {
    if (last?.pieces !== pieces) last = { pieces, ends: quotedPieces(pieces).map(ending) };
    return last.ends;
  };
}
