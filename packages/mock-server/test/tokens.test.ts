import { describe, expect, it } from 'vitest';
import { countTokens, splitTokens } from '../src/index';

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
