import { start } from '@threadline/mock-server';
import { DIALECT_NAMES } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, PROFILES, runConformance } from '../src/index';

// A profile must promise only what a server of that family serves: the reference server speaking each
// dialect passes its profile, and every check outside the profile skips (never fails) with the reason.
describe.each(DIALECT_NAMES)('the %s profile', (dialect) => {
  it('passes the reference server speaking that dialect and skips only what it does not declare', async () => {
    const server = await start({ port: 0, dialect, auth: { apiKeys: ['sk-profile'] } });
    try {
      const report = await runConformance({ baseUrl: server.url, dialect, apiKey: 'sk-profile' });
      const failing = report.results.filter((r) => r.status === 'failed' || r.status === 'warning');
      expect(failing.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      expect(report.exitCode).toBe(0);
      const declared = new Set(report.capabilities);
      expect(declared).toEqual(new Set(PROFILES[dialect].capabilities));
      for (const result of report.results.filter((r) => r.status === 'skipped')) {
        const check = CATALOGUE.find((c) => c.id === result.id)!;
        const undeclared = [check.capability, ...(check.requires ?? [])].find((c) => !declared.has(c));
        // Skipped for a capability the profile leaves out, a fixture only a config can give, or (a check
        // that needs two users) a dialect without a user header.
        const noUserHeader = PROFILES[dialect].dialect.memory.userHeader === null;
        if (
          !undeclared &&
          noUserHeader &&
          result.message?.startsWith(`dialect ${dialect} names no user header`)
        )
          continue;
        expect(result.message).toBe(
          undeclared
            ? `capability '${undeclared}' not declared (dialect ${dialect}; declare it in --config)`
            : `fixture '${check.fixtures?.[0]}' not configured (--config)`,
        );
      }
      expect(report.results.filter((r) => r.status === 'passed').length).toBeGreaterThan(20);
    } finally {
      await server.close();
    }
  });
});
