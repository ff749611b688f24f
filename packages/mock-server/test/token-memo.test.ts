import { describe, expect, it } from 'vitest';
import { countTokensRemembered, rememberedTokenCounts } from '../src/model/token-memo';
import { countTokens } from '../src/model/tokens';

describe('countTokensRemembered', () => {
  it('answers a conversation counted turn after turn from what it kept, with the same counts', () => {
    // A thread's history: the same texts counted again on every turn.
    const history = Array.from({ length: 500 }, (_, i) => `You said: message ${i}, with a comma.`);
    for (let turn = 0; turn < 3; turn++) {
      for (const text of history) expect(countTokensRemembered(text)).toBe(countTokens(text));
    }
    expect(rememberedTokenCounts().texts).toBeGreaterThanOrEqual(history.length);
  });

  it('gives countTokens for every text, first time and again, and stays within its bounds', () => {
    const texts = Array.from({ length: 20_000 }, (_, i) => `turn ${i}: ${'word '.repeat(i % 200)}é ${i}`);
    texts.push('x'.repeat(5_000), 'An ünïcode sentence, with punctuation!', '');
    for (let pass = 0; pass < 2; pass++) {
      for (const text of texts) expect(countTokensRemembered(text)).toBe(countTokens(text));
      const held = rememberedTokenCounts();
      expect(held.texts).toBeGreaterThan(0);
      expect(held.texts).toBeLessThanOrEqual(8_192);
      expect(held.chars).toBeLessThanOrEqual(2_000_000);
    }
  });
});
