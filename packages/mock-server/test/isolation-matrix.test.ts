import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, inProcess, postJson, type Target, userSays } from './support/target';

// Every pair of distinct identities the auth modes allow × every route that reads state: the second
// identity of a pair sees nothing the first one stored — 404, 403 or a typed 400, never the data. The
// first identity plants memory (session and thread), a document, a file, runs, a tool execution and an
// approval pause, and proves it can read each back, so every probe below could have found something.
// (isolation.test.ts checks the basic pairs over a real port as well.)

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

type Headers = Record<string, string>;

interface Identity {
  label: string;
  headers: Headers;
  /** The bearer it would send to control routes; null: the server has no auth (control is open). */
  controlBearer: string | null;
  /** What a data route answers when this identity cannot even act (a tenant admin naming a foreign agent). */
  refusedAs?: { status: number; code: string };
}

const bearer = (token: string, more: Headers = {}): Headers => ({
  authorization: `Bearer ${token}`,
  ...more,
});

const CONFIGS = {
  none: {},
  keys: { auth: { mode: 'api-key' as const }, controlToken: 'root-control-token' },
  agents: {
    controlToken: 'root-control-token',
    auth: {
      agentTokens: [
        { token: 'tok-acme-1', tenant: 'acme', agent: 'smt_a1' },
        { token: 'tok-acme-2', tenant: 'acme', agent: 'smt_a2' },
        { token: 'tok-globex-1', tenant: 'globex', agent: 'smt_g1' },
        { token: 'tok-acme-opsbot', tenant: 'acme', agent: 'ops:bot' },
        { token: 'tok-acmeops-bot', tenant: 'acme:ops', agent: 'bot' },
      ],
      adminTokens: [
        { token: 'admin-acme', tenant: 'acme' },
        { token: 'admin-globex', tenant: 'globex' },
      ],
      agents: [
        { id: 'smt_a1', tenant: 'acme' },
        { id: 'smt_a2', tenant: 'acme' },
        { id: 'smt_g1', tenant: 'globex' },
      ],
    },
  },
};

const user = (name: string): Identity => ({
  label: `user ${name}`,
  headers: { 'x-user-id': name },
  controlBearer: null,
});
const key = (token: string, userId?: string): Identity => ({
  label: userId ? `key ${token} as ${userId}` : `key ${token}`,
  headers: bearer(token, userId ? { 'x-user-id': userId } : {}),
  controlBearer: token,
});
const agent = (token: string, label: string): Identity => ({
  label: `agent ${label}`,
  headers: bearer(token),
  controlBearer: token,
});
const admin = (token: string, agentId: string, tenant: string): Identity => ({
  label: `${tenant} admin acting as ${agentId}`,
  headers: bearer(token, { 'ic-smith-id': agentId }),
  controlBearer: token,
});

const PAIRS: Array<{ mode: keyof typeof CONFIGS; owner: Identity; intruder: Identity }> = [
  { mode: 'none', owner: user('alice'), intruder: user('mallory') },
  { mode: 'keys', owner: key('sk-key-alpha-001'), intruder: key('sk-key-beta-002') },
  { mode: 'keys', owner: key('sk-key-alpha-001'), intruder: key('sk-key-alpha-001', 'bob') },
  { mode: 'keys', owner: key('team/ops', 'lee'), intruder: key('team', 'ops') },
  { mode: 'agents', owner: agent('tok-acme-1', 'acme/smt_a1'), intruder: agent('tok-acme-2', 'acme/smt_a2') },
  {
    mode: 'agents',
    owner: agent('tok-acme-1', 'acme/smt_a1'),
    intruder: agent('tok-globex-1', 'globex/smt_g1'),
  },
  {
    mode: 'agents',
    owner: agent('tok-acme-opsbot', 'acme/ops:bot'),
    intruder: agent('tok-acmeops-bot', 'acme:ops/bot'),
  },
  {
    mode: 'agents',
    owner: admin('admin-acme', 'smt_a1', 'acme'),
    intruder: admin('admin-globex', 'smt_g1', 'globex'),
  },
  {
    mode: 'agents',
    owner: admin('admin-acme', 'smt_a1', 'acme'),
    intruder: agent('tok-globex-1', 'globex/smt_g1'),
  },
  {
    mode: 'agents',
    owner: agent('tok-globex-1', 'globex/smt_g1'),
    intruder: admin('admin-acme', 'smt_a1', 'acme'),
  },
  {
    mode: 'agents',
    owner: agent('tok-globex-1', 'globex/smt_g1'),
    intruder: {
      ...admin('admin-acme', 'smt_g1', 'acme'),
      label: "acme admin naming globex's agent",
      refusedAs: { status: 400, code: 'smith_unresolved' },
    },
  },
];

interface Planted {
  tag: string;
  runId: string;
  fileId: string;
  approvalId: string;
  toolRunId: string;
  /** A stored response (POST /v1/responses) a later one may continue by `previous_response_id`. */
  responseId: string;
}

/** The Idempotency-Key the owner's session turn was sent with. */
const PLANTED_KEY = 'plant-key-1';

const say = async (response: Response) => (await response.json()).choices[0].message.content as string;

/** The owner stores one of everything, and reads each back (so a probe could find something). */
async function plant(target: Target, owner: Identity, tag: string): Promise<Planted> {
  const session = { ...owner.headers, 'x-session-id': 'shared' };
  const thread = { ...owner.headers, 'ic-thread-id': 'shared-thread' };
  const docs = { ...owner.headers, 'x-session-id': 'docs' };
  const content = [
    { type: 'text', text: `The session code is ${tag}.` },
    { type: 'image_url', image_url: { url: PNG } },
  ];
  // Keyed, as an SDK that resends calls keys them: the key is the owner's alone (see its probe).
  const keyed = { ...session, 'idempotency-key': PLANTED_KEY };
  const stated = await (await chat(target, { messages: [{ role: 'user', content }] }, keyed)).json();
  expect(stated.id, JSON.stringify(stated)).toMatch(/^run_/);
  const run = await (await target.fetch(`/v1/runs/${stated.id}`, { headers: owner.headers })).json();
  const fileId = run.file_ids[0] as string;
  expect((await target.fetch(`/v1/files/${fileId}/content`, { headers: owner.headers })).status).toBe(200);
  expect(
    await say(await chat(target, { messages: userSays('What is the session code?') }, session)),
  ).toContain(tag);
  await (await chat(target, { messages: userSays(`The thread code is ${tag}.`) }, thread)).text();
  expect(await say(await chat(target, { messages: userSays('What is the thread code?') }, thread))).toContain(
    tag,
  );
  const ingested = await target.fetch('/v1/ingest?file_path=threadline-demo.md', {
    method: 'POST',
    headers: docs,
  });
  expect(ingested.status).toBe(200);
  expect(await say(await chat(target, { messages: userSays('What is the launch code?') }, docs))).toContain(
    'AMBER',
  );
  const looked = await (
    await chat(target, { messages: userSays(`Please look up order ${tag}.`) }, owner.headers)
  ).json();
  const paused = await (
    await chat(target, { messages: userSays('Please delete the draft d-1.') }, owner.headers)
  ).json();
  const responded = await postJson(
    target,
    '/v1/responses',
    { model: '', input: `The response code is ${tag}.` },
    owner.headers,
  );
  const responseId = (await responded.json()).id as string;
  const continued = await postJson(
    target,
    '/v1/responses',
    { model: '', input: 'What is the response code?', previous_response_id: responseId },
    owner.headers,
  );
  expect(continued.status).toBe(200);
  return {
    tag,
    responseId,
    runId: stated.id,
    fileId,
    approvalId: paused.choices[0].message.tool_calls[0].id,
    toolRunId: looked.id,
  };
}

type Probe = (target: Target, intruder: Identity, planted: Planted) => Promise<void>;

/** A refusal: the status the route gives an outsider (or the intruder's own refusal), never the data. */
async function expectRefused(
  response: Response,
  status: number,
  code: string,
  intruder: Identity,
  tag: string,
) {
  const body = await response.text();
  expect(body).not.toContain(tag);
  const expected = intruder.refusedAs ?? { status, code };
  expect({ status: response.status, code: JSON.parse(body).error?.code }).toEqual(expected);
}

/** A chat the intruder may make: answered (or refused as the intruder is refused), without the data. */
async function expectNothingRecalled(response: Response, intruder: Identity, secret: string) {
  const body = await response.text();
  expect(body).not.toContain(secret);
  if (intruder.refusedAs) {
    expect({ status: response.status, code: JSON.parse(body).error.code }).toEqual(intruder.refusedAs);
  } else {
    expect(response.status).toBe(200);
  }
}

const tokensOf = async (response: Response) => (await response.json()).usage.prompt_tokens as number;

const PROBES: Array<[string, Probe]> = [
  [
    'session memory (x-session-id)',
    async (target, intruder, { tag }) => {
      const headers = { ...intruder.headers, 'x-session-id': 'shared' };
      await expectNothingRecalled(
        await chat(target, { messages: userSays('What is the session code?') }, headers),
        intruder,
        tag,
      );
    },
  ],
  [
    "the owner's Idempotency-Key on the same session id (neither refused nor suppressed)",
    async (target, intruder, { tag }) => {
      const own = `My own locker is OTTER-${tag.slice(-2)}.`;
      const keyed = { ...intruder.headers, 'x-session-id': 'shared', 'idempotency-key': PLANTED_KEY };
      // Another request under the owner's key: to the owner a 422, so a 422 here would say the key is used.
      const response = await chat(target, { messages: userSays(own) }, keyed);
      await expectNothingRecalled(response, intruder, tag);
      if (intruder.refusedAs) return;
      // Stored as the intruder's own turn, not suppressed as a resend of the owner's.
      const asked = { ...intruder.headers, 'x-session-id': 'shared' };
      const recalled = await say(
        await chat(target, { messages: userSays('Where is my own locker?') }, asked),
      );
      expect(recalled).toContain(`OTTER-${tag.slice(-2)}`);
      expect(recalled).not.toContain(tag);
    },
  ],
  [
    'thread memory (ic-thread-id)',
    async (target, intruder, { tag }) => {
      const ask = (thread: string) =>
        chat(
          target,
          { messages: userSays('What is the thread code?') },
          { ...intruder.headers, 'ic-thread-id': thread },
        );
      const response = await ask('shared-thread');
      if (intruder.refusedAs) return expectNothingRecalled(response, intruder, tag);
      const copy = response.clone();
      await expectNothingRecalled(response, intruder, tag);
      // No history came along either: the same turn costs what it costs in a thread never used.
      expect(await tokensOf(copy)).toBe(await tokensOf(await ask('unused-thrd')));
    },
  ],
  [
    'ingested documents (recall in the session they went to)',
    async (target, intruder) => {
      const headers = { ...intruder.headers, 'x-session-id': 'docs' };
      await expectNothingRecalled(
        await chat(target, { messages: userSays('What is the launch code?') }, headers),
        intruder,
        'AMBER',
      );
    },
  ],
  [
    'GET /v1/runs/{id}',
    async (target, intruder, { tag, runId }) => {
      const response = await target.fetch(`/v1/runs/${runId}`, { headers: intruder.headers });
      await expectRefused(response, 404, 'not_found', intruder, tag);
    },
  ],
  [
    'POST /v1/responses continuing its response (previous_response_id)',
    async (target, intruder, { tag, responseId }) => {
      const response = await postJson(
        target,
        '/v1/responses',
        { model: '', input: 'What is the response code?', previous_response_id: responseId },
        intruder.headers,
      );
      await expectRefused(response, 404, 'previous_response_not_found', intruder, tag);
    },
  ],
  [
    'GET /v1/files/{id}',
    async (target, intruder, { tag, fileId }) => {
      const response = await target.fetch(`/v1/files/${fileId}`, { headers: intruder.headers });
      await expectRefused(response, 404, 'not_found', intruder, tag);
    },
  ],
  [
    'GET /v1/files/{id}/content',
    async (target, intruder, { tag, fileId }) => {
      const response = await target.fetch(`/v1/files/${fileId}/content`, { headers: intruder.headers });
      await expectRefused(response, 404, 'not_found', intruder, tag);
    },
  ],
  [
    'a turn citing the file id',
    async (target, intruder, { tag, fileId }) => {
      const response = await chat(
        target,
        { messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: fileId } }] }] },
        intruder.headers,
      );
      const body = await response.text();
      expect(body).not.toContain(tag);
      expect(response.status).toBe(intruder.refusedAs?.status ?? 400);
    },
  ],
  ...(['approve', 'reject'] as const).map((decision): [string, Probe] => [
    `deciding the pause (${decision})`,
    async (target, intruder, { tag, approvalId }) => {
      const before = target.server.tools.executions.length;
      const response = await chat(
        target,
        { messages: [{ role: 'tool', tool_call_id: approvalId, content: decision }] },
        intruder.headers,
      );
      await expectRefused(response, 400, 'unknown_approval_id', intruder, tag);
      expect(target.server.tools.executions.length).toBe(before);
    },
  ]),
  [
    'the x-threadline-fault header cannot lift isolation (files, approvals, memory)',
    async (target, intruder, { tag, fileId, approvalId }) => {
      // Faults that model a leaky server are the operator's to set (config or control token), never the
      // caller's: asked for in a request's own header they are refused, whoever asks.
      for (const fault of ['files-any-user', 'any-user-approves', 'shared-session-memory']) {
        const headers = { ...intruder.headers, 'x-session-id': 'elsewhere', 'x-threadline-fault': fault };
        const before = target.server.tools.executions.length;
        for (const response of [
          await target.fetch(`/v1/files/${fileId}/content`, { headers }),
          await chat(target, { messages: userSays('What is the session code?') }, headers),
          await chat(
            target,
            { messages: [{ role: 'tool', tool_call_id: approvalId, content: 'approve' }] },
            headers,
          ),
        ]) {
          const body = await response.text();
          expect(body).not.toContain(tag);
          expect({ status: response.status, code: JSON.parse(body).error.code }, fault).toEqual({
            status: 403,
            code: 'permission_denied',
          });
        }
        expect(target.server.tools.executions.length).toBe(before);
      }
    },
  ],
  ...([true, false] as const).map((approve): [string, Probe] => [
    `deciding the pause through /v1/responses (mcp_approval_response, approve: ${approve})`,
    async (target, intruder, { tag, approvalId }) => {
      const before = target.server.tools.executions.length;
      const response = await postJson(
        target,
        '/v1/responses',
        { model: '', input: [{ type: 'mcp_approval_response', approval_request_id: approvalId, approve }] },
        intruder.headers,
      );
      await expectRefused(response, 400, 'unknown_approval_id', intruder, tag);
      expect(target.server.tools.executions.length).toBe(before);
    },
  ]),
  [
    'GET /__threadline/journal',
    async (target, intruder, { tag }) => {
      const response = await target.fetch('/__threadline/journal', {
        headers: bearer(intruder.controlBearer!),
      });
      const body = await response.text();
      expect(body).not.toContain(tag);
      // An agent or API key opens no control route; a tenant admin gets its tenant's entries only.
      if (response.status === 200) {
        expect(intruder.headers.authorization).toMatch(/^Bearer admin-/);
        expect(JSON.parse(body).entries.length).toBeGreaterThan(0);
      } else {
        expect({ status: response.status, code: JSON.parse(body).error.code }).toEqual({
          status: 403,
          code: 'admin_token_required',
        });
      }
    },
  ],
  [
    'GET /__threadline/tools',
    async (target, intruder, { tag, toolRunId }) => {
      const response = await target.fetch('/__threadline/tools', {
        headers: bearer(intruder.controlBearer!),
      });
      const body = await response.text();
      expect(body).not.toContain(tag);
      expect(body).not.toContain(toolRunId);
      expect([200, 403]).toContain(response.status);
    },
  ],
];

describe.each(PAIRS.map((pair, index) => ({ ...pair, index })))(
  '$intruder.label sees nothing of $owner.label ($mode auth)',
  ({ mode, owner, intruder, index }) => {
    let target: Target;
    let planted: Planted;
    beforeAll(async () => {
      target = await inProcess(CONFIGS[mode]);
      planted = await plant(target, owner, `LYNX-${80 + index}`);
      // The intruder is busy too: its own tool runs and requests are in the logs it may read.
      if (!intruder.refusedAs) {
        await (
          await chat(target, { messages: userSays('Please look up order OWN-1.') }, intruder.headers)
        ).text();
      }
    });
    afterAll(() => target.close());

    // Control routes are open to everyone on a server without auth (local use): nothing to separate.
    const probes =
      intruder.controlBearer === null ? PROBES.filter(([name]) => !name.startsWith('GET /__')) : PROBES;
    it.each(probes)('%s', async (_name, probe) => probe(target, intruder, planted));

    it("the owner's key still guards the owner's turn: another request under it is 422", async () => {
      const keyed = { ...owner.headers, 'x-session-id': 'shared', 'idempotency-key': PLANTED_KEY };
      const response = await chat(target, { messages: userSays('Not the planted turn.') }, keyed);
      expect({ status: response.status, code: (await response.json()).error.code }).toEqual({
        status: 422,
        code: 'idempotency_key_reused',
      });
    });

    it("the owner still decides its own pause (the intruder's attempts decided nothing)", async () => {
      const response = await chat(
        target,
        { messages: [{ role: 'tool', tool_call_id: planted.approvalId, content: 'approve' }] },
        owner.headers,
      );
      expect(response.status).toBe(200);
      expect(target.server.tools.executions.at(-1)?.tool).toBe('delete_draft');
    });
  },
);
