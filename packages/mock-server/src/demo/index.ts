import type { ServerToolConfig } from '../tools/schema';

/** The demo orders `lookup_order` knows. */
const ORDERS: Record<string, Record<string, string>> = {
  'A-1001': { status: 'shipped', carrier: 'Parcelway', eta: '2026-12-03' },
  'A-1002': { status: 'processing', carrier: 'Parcelway', eta: '2026-12-09' },
};

/**
 * The demo server tools (docs/server-state.md, "Demo set"), served when the config names no
 * `serverTools`: one read-only, one destructive, each triggered by a documented prompt.
 */
export const DEMO_SERVER_TOOLS: ServerToolConfig[] = [
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
      return {
        order_id: id,
        ...((Object.hasOwn(ORDERS, id) ? ORDERS[id] : undefined) ?? { status: 'unknown' }),
      };
    },
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
    run: (args) => ({ deleted: true, draft_id: String(args.draft_id) }),
  },
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
