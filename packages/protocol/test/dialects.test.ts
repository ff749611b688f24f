import { describe, expect, it } from 'vitest';
import { DIALECT_NAMES, DIALECTS, getDialect, HEADERS } from '../src/index';

describe('dialect table', () => {
  it('has one entry per name, each naming itself', () => {
    for (const name of DIALECT_NAMES) expect(DIALECTS[name].name).toBe(name);
  });

  it('records the seed facts of each family', () => {
    expect(DIALECTS.ice.memory).toEqual({
      sessionHeader: 'x-session-id',
      userHeader: 'x-user-id',
      defaultUserId: 'default-user',
      threadHeader: null,
    });
    expect(DIALECTS.ice.auth).toBe('none');
    expect(DIALECTS.ingram.memory.threadHeader).toBe('ic-thread-id');
    expect(DIALECTS.ingram.identity).toEqual({ agentHeader: 'ic-smith-id', userFieldNamesAgent: true });
    expect(DIALECTS.ingram.versionHeader).toBe(HEADERS.apiVersion);
    expect(DIALECTS.ingram.auth).toBe('agent-token');
    expect(DIALECTS.spice.progress).toEqual({
      header: 'x-spiceai-completion-progress',
      enabledValue: 'enabled',
    });
    expect(DIALECTS.spice.errorShape).toBe('flat');
    expect(DIALECTS.spice.modelNotFoundShape).toBe('string');
    expect(DIALECTS.openai.memory.sessionHeader).toBeNull();
    // Ingram Cloud's agent tokens are meant for web pages; the canonical dialect serves them too.
    expect(DIALECT_NAMES.filter((name) => DIALECTS[name].browser)).toEqual(['threadline', 'ingram']);
  });

  it('makes the canonical dialect honour every header the others do', () => {
    const canonical = DIALECTS.threadline;
    for (const name of DIALECT_NAMES) {
      const d = DIALECTS[name];
      for (const header of [
        d.memory.sessionHeader,
        d.memory.threadHeader,
        d.identity.agentHeader,
        d.versionHeader,
      ]) {
        if (header) {
          expect([
            canonical.memory.sessionHeader,
            canonical.memory.threadHeader,
            canonical.identity.agentHeader,
            canonical.versionHeader,
          ]).toContain(header);
        }
      }
    }
    expect(canonical.progress).not.toBeNull();
  });

  it('rejects unknown names with the list of valid ones', () => {
    expect(() => getDialect('azure')).toThrow(/threadline, ice, ingram, spice, openai/);
    expect(getDialect('spice').name).toBe('spice');
  });
});
