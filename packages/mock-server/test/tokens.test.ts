import { describe, expect, it } from 'vitest';
import { countTokens, splitTokens } from '../src/index';
import { cutTokens, quotedPieces, quotedText } from '../src/model/tokens';

describe('token counting', () => {
  it.each([
    ['', 0],
    ['Hello', 1],
    ['Hello, world!', 4],
    ['  spaced   out  ', 2],
    ['snake_case_name 42', 2],
    ['{"city":"Paris"}', 9],
    ['naïve café', 2],
    ['日本語のテキスト', 1],
    ['emoji 🎉 here', 3],
    ['a\u00a0b', 2],
  ])('counts %j as %i tokens', (text, expected) => {
    expect(countTokens(text)).toBe(expected);
  });

  it.each([
    'Hello, world!',
    '  leading and trailing  ',
    'line one\nline two\r\n\ttabbed',
    'naïve café — déjà vu…',
    'emoji 🎉🎉 and 日本語',
    '{"a":[1,2,{"b":"c"}]}',
    'x',
  ])('splits %j into pieces that rebuild it, one per token', (text) => {
    const pieces = splitTokens(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces).toHaveLength(countTokens(text));
  });

  it('gives whitespace-only text one piece and no tokens', () => {
    expect(splitTokens('   ')).toEqual(['   ']);
    expect(countTokens('   ')).toBe(0);
  });
});

describe('quoted pieces of a remembered cut', () => {
  const asJson = (pieces: readonly string[]) => pieces.map((piece) => JSON.stringify(piece));

  it('are the pieces as JSON strings, escapes and lone surrogates included', () => {
    for (const text of ['plain words here', 'say "hi"\n\tthen \\ go', 'emoji 😀 and \u2028 \ud800 x', '']) {
      const pieces = cutTokens(text);
      expect(quotedPieces(pieces)).toEqual(asJson(pieces));
      // Asked again, the same text gives the same answer (made once, kept with the cut).
      expect(quotedPieces(cutTokens(text))).toEqual(asJson(pieces));
    }
  });

  it('stay right when a remembered cut is replaced by another text', () => {
    // More texts than the cuts remembered: every slot is reused, and a stale quote would show.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        const pieces = cutTokens(`round ${round} text ${i} "${'w '.repeat(i)}"`);
        expect(quotedPieces(pieces)).toEqual(asJson(pieces));
      }
    }
  });

  it('quote pieces no cut gave (a copy, a slice) all the same', () => {
    const pieces = cutTokens('one two "three"');
    expect(quotedPieces(pieces.slice(0, 2))).toEqual(asJson(pieces.slice(0, 2)));
    expect(quotedPieces(['a"b', 'c'])).toEqual(['"a\\"b"', '"c"']);
  });
});

describe('the quoted text of a remembered cut', () => {
  it('is JSON.stringify of the text, for a text cut or not, and after its slot is reused', () => {
    const texts = ['a "quoted"\nline', 'emoji 😀 \u2028 \ud800', 'never cut \\ here'];
    cutTokens(texts[0]!);
    cutTokens(texts[1]!);
    for (const text of texts) {
      expect(quotedText(text)).toBe(JSON.stringify(text));
      expect(quotedText(text)).toBe(JSON.stringify(text));
    }
    // Every slot taken over by other texts: a stale quote of the old text would show.
    for (let i = 0; i < 20; i++) {
      const text = `slot text ${i} "${i}"`;
      cutTokens(text);
      expect(quotedText(text)).toBe(JSON.stringify(text));
    }
  });
});
