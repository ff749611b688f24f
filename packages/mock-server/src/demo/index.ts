import { BoundedMap } from '../state/bounded';
import type { ServerToolConfig } from '../tools/schema';

/** The demo orders `lookup_order` knows. */
const ORDERS: Record<string, Record<string, string>> = {
  'A-1001': { status: 'shipped', carrier: 'Parcelway', eta: '2026-12-03' },
  'A-1002': { status: 'processing', carrier: 'Parcelway', eta: '2026-12-09' },
};

/** The order id `lookup_order` fails on (docs/server-state.md): the demo's failing server tool call. */
export const DEMO_FAILING_ORDER = 'BROKEN-1';

/** The drafts every owner starts with; `delete_draft` removes them, `list_drafts` shows what is left. */
export const DEMO_DRAFTS: readonly string[] = ['draft-1', 'Q3-plan', 'Q4-budget'];

/**
 * The drafts of each owner (principal and user), so a destructive call has an effect a later turn can
 * observe: the suite proves a rejected `delete_draft` deleted nothing and an approved one ran once.
 * In memory only; emptied by reset. Bounded like every store (owners come from caller ids): past
 * 10,000 owners the oldest one's drafts start over.
 */
export class DemoDrafts {
  readonly #byOwner = new BoundedMap<Set<string>>({ maxCount: 10_000, maxBytes: 16 * 1024 * 1024 });

  #of(owner: string): Set<string> {
    let drafts = this.#byOwner.get(owner);
    if (!drafts) {
      drafts = new Set(DEMO_DRAFTS);
      this.#byOwner.set(owner, drafts, 128 + owner.length);
    }
    return drafts;
  }

  list(owner: string): string[] {
    return [...this.#of(owner)];
  }

  /** True when the draft existed (and is now gone). */
  delete(owner: string, id: string): boolean {
    return this.#of(owner).delete(id);
  }

  clear(): void {
    this.#byOwner.clear();
  }
}

/**
 * The demo server tools (docs/server-state.md, "Demo set"), served when the config names no
 * `serverTools`: two read-only, one destructive, each triggered by a documented prompt. `drafts` holds
 * what `delete_draft` deletes; each server gets its own.
 */
export function createDemoServerTools(drafts = new DemoDrafts()): ServerToolConfig[] {
  return [
    {
      name: 'lookup_order',
      description: 'Looks up an order by id (read-only).',
      parameters: {
        type: 'object',
        properties: { order_id: { type: 'string' } },
        required: ['order_id'],
      },
      destructive: false,
      trigger: String.raw`\blook up order\b(?:\s+#?(?<order_id>[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*))?`,
      arguments: { order_id: 'A-1001' },
      run: (args) => {
        const id = String(args.order_id);
        // The documented failing input: a tool that fails is a failed call, and the turn says so.
        if (id === DEMO_FAILING_ORDER) throw new Error(`the order service is unavailable for ${id}`);
        return {
          order_id: id,
          ...((Object.hasOwn(ORDERS, id) ? ORDERS[id] : undefined) ?? { status: 'unknown' }),
        };
      },
    },
    {
      name: 'list_drafts',
      description: "Lists the caller's draft documents (read-only).",
      parameters: { type: 'object', properties: {} },
      destructive: false,
      trigger: String.raw`\blist my drafts\b`,
      run: (_args, context) => ({ drafts: drafts.list(context.owner) }),
    },
    {
      name: 'delete_draft',
      description: 'Deletes a draft document (destructive: needs approval).',
      parameters: {
        type: 'object',
        properties: { draft_id: { type: 'string' } },
        required: ['draft_id'],
      },
      destructive: true,
      trigger: String.raw`\bdelete the draft\b(?:\s+(?<draft_id>[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*))?`,
      arguments: { draft_id: 'draft-1' },
      run: (args, context) => {
        const id = String(args.draft_id);
        return { deleted: drafts.delete(context.owner, id), draft_id: id };
      },
    },
  ];
}

/** The demo server tools over one shared drafts store; a server builds its own with createDemoServerTools. */
export const DEMO_SERVER_TOOLS: ServerToolConfig[] = createDemoServerTools();

/** The demo prompt whose streamed turn fails after two chunks (JSON: a 500 before any answer). */
export const DEMO_FAILING_PROMPT = 'Please fail this turn mid-stream.';

/** The demo set's prompts (docs/server-state.md), one per behaviour, as the server's index page lists them. */
export const DEMO_PROMPTS: ReadonlyArray<{ prompt: string; does: string }> = [
  { prompt: 'Please look up order A-1001.', does: 'runs the read-only server tool lookup_order' },
  { prompt: `Please look up order ${DEMO_FAILING_ORDER}.`, does: 'lookup_order fails; the reply says so' },
  { prompt: 'List my drafts.', does: "runs list_drafts: the caller's drafts" },
  {
    prompt: 'Please delete the draft Q3-plan.',
    does: 'pauses the destructive delete_draft for approval (<run_id>::<tool_call_id>)',
  },
  { prompt: DEMO_FAILING_PROMPT, does: 'a stream that breaks off with an error frame after two chunks' },
];

/** The demo document's file name, relative to the demo upload directory. */
export const DEMO_DOCUMENT = 'threadline-demo.md';

/**
 * The package's `demo/` folder: the upload directory when none is configured. Found by walking up from
 * this module, which sits at a different depth in src/ (tests) and dist/ (the build).
 */
export async function demoUploadDir(): Promise<string | null> {
  // Node modules load lazily so the msw adapter keeps working where there is no file system.
  const [{ existsSync }, { dirname, join }, { fileURLToPath }] = await Promise.all([
    import('node:fs'),
    import('node:path'),
    import('node:url'),
  ]);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'demo', DEMO_DOCUMENT))) return join(dir, 'demo');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}
