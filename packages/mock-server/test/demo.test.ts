import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FAILING_PROMPT, DISCOVERY_PATH, layOutDemo } from '../src/index';
import { chat, errorOf, frames, TARGETS, type Target, userSays } from './support/target';

const DELETE = 'Please delete the draft Q3-plan.';

describe.each(TARGETS)('the demo set (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  const as = (user: string) => ({ 'x-user-id': user });
  const drafts = async (user: string) => {
    const answer = await (await chat(target, { messages: userSays('List my drafts.') }, as(user))).json();
    return answer.choices[0].message.content as string;
  };
  /** Pauses on delete_draft and answers the pause with `decision`; returns the answer's text. */
  async function decide(user: string, decision: string): Promise<string> {
    const paused = await (await chat(target, { messages: userSays(DELETE) }, as(user))).json();
    const call = paused.choices[0].message.tool_calls[0];
    const messages = [
      ...userSays(DELETE),
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: decision },
    ];
    return (await (await chat(target, { messages }, as(user))).json()).choices[0].message.content;
  }

  it('list_drafts runs on the server and reports the caller’s drafts', async () => {
    expect(await drafts('lister')).toBe('list_drafts returned {"drafts":["draft-1","Q3-plan","Q4-budget"]}');
  });

  it('a rejected delete_draft deletes nothing; an approved one deletes the draft, for its owner only', async () => {
    await decide('rejecter', 'reject');
    expect(await drafts('rejecter')).toContain('Q3-plan');
    expect(await decide('approver', 'approve')).toBe(
      'delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}',
    );
    expect(await drafts('approver')).toBe('list_drafts returned {"drafts":["draft-1","Q4-budget"]}');
    expect(await drafts('bystander')).toContain('Q3-plan');
    // Deleting it again finds nothing to delete.
    expect(await decide('approver', 'approve')).toBe(
      'delete_draft returned {"deleted":false,"draft_id":"Q3-plan"}',
    );
  });

  it('reset brings every owner’s drafts back', async () => {
    await decide('resetter', 'approve');
    target.server.reset();
    expect(await drafts('resetter')).toContain('Q3-plan');
  });

  it('the failing prompt breaks a stream off with an error frame after two chunks; JSON is a 500', async () => {
    const streamed = await frames(
      await chat(target, { stream: true, messages: userSays(DEMO_FAILING_PROMPT) }),
    );
    const data = streamed.filter((f) => f.data !== '[DONE]').map((f) => JSON.parse(f.data));
    expect(data.slice(0, 2).every((d) => d.object === 'chat.completion.chunk')).toBe(true);
    expect(data.find((d) => d.error)?.error).toMatchObject({ type: 'server_error' });
    const json = await chat(target, { messages: userSays(DEMO_FAILING_PROMPT) });
    expect((await errorOf(json)).status).toBe(500);
  });

  it('configured server tools replace the demo set, failing prompt included', async () => {
    const plain = await make({ serverTools: [] });
    try {
      expect((await chat(plain, { messages: userSays(DEMO_FAILING_PROMPT) })).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});

describe.each(TARGETS)('the conformance discovery route (%s)', (_name, make) => {
  it('advertises the demo prompts and the demo document, and needs no credentials', async () => {
    const target = await make({ auth: { apiKeys: ['sk-secret'] } });
    try {
      const answer = await target.fetch(DISCOVERY_PATH, { headers: { 'x-threadline-fault': 'status=500' } });
      expect(answer.status).toBe(200);
      const body = await answer.json();
      expect(body).toEqual({
        object: 'threadline.conformance',
        server: 'threadline-mock',
        dialect: 'threadline',
        auth: 'api-key',
        fixtures: {
          destructivePrompt: 'Please delete the draft Q3-plan.',
          effectPrompt: 'List my drafts.',
          effectMarker: 'Q3-plan',
          failingPrompt: DEMO_FAILING_PROMPT,
          ingestPath: 'threadline-demo.md',
        },
      });
      expect(JSON.stringify(body)).not.toContain('sk-secret');
      // Not journalled: it describes the server, it is not traffic under test.
      expect(target.server.journal.list().map((e) => e.path)).not.toContain(DISCOVERY_PATH);
    } finally {
      await target.close();
    }
  });

  it('advertises what a laid-out demo directory holds: the escaping link and the bucket', async () => {
    // From the sources the package's demo/ folder is always found.
    const demo = (await layOutDemo())!;
    const target = await make({ uploadDir: demo.uploadDir, buckets: demo.buckets, serverTools: [] });
    try {
      const { fixtures, auth } = await (await target.fetch(DISCOVERY_PATH)).json();
      expect(auth).toBe('none');
      expect(fixtures).toEqual({
        ingestPath: 'threadline-demo.md',
        ingestEscapingPath: 'escaping-link.md',
        ingestUri: 's3://threadline-demo/threadline-demo.md',
      });
      const ingest = (query: string) =>
        target.fetch(`/v1/ingest?${query}`, { method: 'POST', headers: { 'x-session-id': 's' } });
      expect((await ingest(`uri=${encodeURIComponent(fixtures.ingestUri)}`)).status).toBe(200);
      expect(await errorOf(await ingest('file_path=escaping-link.md'))).toMatchObject({
        status: 400,
        code: 'invalid_path',
      });
    } finally {
      await target.close();
      await demo.remove();
    }
  });
});
