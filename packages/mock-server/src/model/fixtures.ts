import { z } from 'zod';
import { describeIssues } from '../config';
import { FIXTURE_CAP } from '../state/limits';
import { compileUserRegex, type Fixture, fixtureSchema, type ParsedFixture } from './fixture-schema';

/** What a fixture matches against, taken from the turn. */
export interface FixtureView {
  /** The last user message's text, trimmed. */
  userText: string | null;
  model: string;
  /** The door the turn came through. */
  door: 'chat' | 'responses';
  /** 0-based count of user messages before the last one. */
  turn: number;
  /** The tool result the conversation ends with, if it does. */
  toolResult: { name: string; content: string } | null;
}

export class FixtureError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'FixtureError';
  }
}

interface StoredFixture {
  fixture: ParsedFixture & { id: string };
  regex: RegExp | null;
  remaining: number | null;
  /** Estimated size of an added fixture, counted against FIXTURE_CAP; 0 for configured ones. */
  bytes: number;
}

/** A fixture as `list()` shows it: its id and, for limited ones, the uses left. */
export type ListedFixture = ParsedFixture & { id: string; remaining: number | null };

const fixtureList = z.array(fixtureSchema);

/**
 * Scripted answers, first match wins. Config fixtures are loaded at start and come back on `reset()`;
 * `add` appends after them.
 */
export class FixtureStore {
  #configured: readonly ParsedFixture[];
  #entries: StoredFixture[] = [];
  #nextId = 1;

  constructor(configured: readonly ParsedFixture[] = []) {
    this.#configured = configured;
    this.reset();
  }

  /** Validates and appends fixtures; throws a `FixtureError` (and adds nothing) when one is invalid. */
  add(input: Fixture | Fixture[]): ListedFixture[] {
    const parsed = fixtureList.safeParse(Array.isArray(input) ? input : [input]);
    if (!parsed.success) throw new FixtureError(`invalid fixture: ${describeIssues(parsed.error)}`);
    // Bounded like every store, but refused rather than evicting: the oldest fixtures match first.
    const sizes = parsed.data.map((fixture) => 64 + JSON.stringify(fixture).length);
    let count = sizes.length;
    let bytes = sizes.reduce((sum, size) => sum + size, 0);
    for (const entry of this.#entries) {
      if (entry.bytes === 0) continue;
      count++;
      bytes += entry.bytes;
    }
    if (count > FIXTURE_CAP.maxCount || bytes > FIXTURE_CAP.maxBytes) {
      throw new FixtureError(
        `the fixture store is full (at most ${FIXTURE_CAP.maxCount} added fixtures, ${FIXTURE_CAP.maxBytes} bytes); ` +
          'delete some with DELETE /__threadline/fixtures',
      );
    }
    return parsed.data.map((fixture, i) => this.#store(fixture, sizes[i]));
  }

  list(): ListedFixture[] {
    return this.#entries.map(({ fixture, remaining }) => ({ ...fixture, remaining }));
  }

  /** Removes one fixture by id; false when there is none. */
  remove(id: string): boolean {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((entry) => entry.fixture.id !== id);
    return this.#entries.length !== before;
  }

  /** Removes every fixture, the configured ones included (until `reset`). */
  clear(): void {
    this.#entries = [];
  }

  /** Back to the configured fixtures. */
  reset(): void {
    this.#entries = [];
    this.#nextId = 1;
    for (const fixture of this.#configured) this.#store(fixture);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The first fixture matching `view`, consuming one of its uses; undefined when none matches. */
  take(view: FixtureView): (ParsedFixture & { id: string }) | undefined {
    for (let i = 0; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (!matches(entry, view)) continue;
      if (entry.remaining !== null) {
        entry.remaining -= 1;
        if (entry.remaining === 0) this.#entries.splice(i, 1);
      }
      return entry.fixture;
    }
    return undefined;
  }

  #store(fixture: ParsedFixture, bytes = 0): ListedFixture {
    const id = fixture.id ?? `fx_${this.#nextId++}`;
    const entry: StoredFixture = {
      fixture: { ...fixture, id },
      regex: fixture.match.userRegex === undefined ? null : compileUserRegex(fixture.match.userRegex),
      remaining: fixture.times ?? null,
      bytes,
    };
    this.#entries.push(entry);
    return { ...entry.fixture, remaining: entry.remaining };
  }
}

function matches({ fixture, regex }: StoredFixture, view: FixtureView): boolean {
  const m = fixture.match;
  if (m.model !== undefined && m.model !== view.model) return false;
  if (m.door !== undefined && m.door !== view.door) return false;
  if (m.turn !== undefined && m.turn !== view.turn) return false;
  if (m.userText !== undefined && (view.userText === null || view.userText !== m.userText.trim()))
    return false;
  if (m.userContains !== undefined && !view.userText?.includes(m.userContains)) return false;
  if (regex !== null && (view.userText === null || !regex.test(view.userText))) return false;
  const result = view.toolResult;
  // A conversation that ends with a tool result is answered only by fixtures that ask for one: otherwise
  // a fixture that calls a tool for a user message would fire again on its own result, forever.
  if (m.toolResult === undefined) return result === null;
  if (result === null) return false;
  if (m.toolResult.name !== undefined && result.name !== m.toolResult.name) return false;
  if (m.toolResult.contains !== undefined && !result.content.includes(m.toolResult.contains)) return false;
  return true;
}
