import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, errorOf, TARGETS, type Target, userSays } from './support/target';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(TARGETS)('auth: none and api-key (%s)', (_name, make) => {
  let open: Target;
  let keyed: Target;
  let anyKey: Target;
  beforeAll(async () => {
    open = await make({ dialect: 'ice' });
    keyed = await make({ dialect: 'spice', auth: { apiKeys: ['sk-good'] } });
    anyKey = await make({ auth: { mode: 'api-key' } });
  });
  afterAll(async () => {
    await Promise.all([open.close(), keyed.close(), anyKey.close()]);
  });

  it('needs no credentials in mode none (and ignores any sent)', async () => {
    expect((await chat(open, { messages: userSays('hi') })).status).toBe(200);
    expect((await chat(open, { messages: userSays('hi') }, bearer('whatever'))).status).toBe(200);
  });

  it('checks API keys: a wrong key is 401 invalid_api_key, none is 401 missing_credentials', async () => {
    expect((await chat(keyed, { messages: userSays('hi') }, bearer('sk-good'))).status).toBe(200);
    const wrong = await chat(keyed, { messages: userSays('hi') }, bearer('sk-bad'));
    expect(wrong.status).toBe(401);
    // Spice's flat error shape.
    expect(await wrong.json()).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    const none = await chat(keyed, { messages: userSays('hi') });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'missing_credentials' });
    expect((await keyed.fetch('/v1/models')).status).toBe(401);
    expect((await keyed.fetch('/health')).status).toBe(200);
  });

  it('accepts any key when no keys are configured, but still wants one', async () => {
    expect((await chat(anyKey, { messages: userSays('hi') }, bearer('anything'))).status).toBe(200);
    expect(await errorOf(await chat(anyKey, { messages: userSays('hi') }))).toMatchObject({
      status: 401,
      code: 'missing_credentials',
    });
  });
});

describe.each(TARGETS)('auth: agent tokens and tenant-admin tokens (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({
      dialect: 'ingram',
      models: ['gpt-5.5', 'gpt-4o'],
      auth: {
        agentTokens: [{ token: 'tok-ledger', tenant: 'acme', agent: 'smt_ledger' }],
        adminTokens: [
          { token: 'admin-acme', tenant: 'acme' },
          { token: 'admin-other', tenant: 'other' },
        ],
        agents: [
          {
            id: 'smt_ledger',
            externalId: 'user-42',
            tenant: 'acme',
            instructions: 'You keep the books.',
            model: 'gpt-4o',
          },
          { id: 'smt_helper', tenant: 'acme', instructions: 'You help.' },
        ],
      },
    });
  });
  afterAll(() => target.close());

  const instructionsOf = async (response: Response) => {
    expect(response.status).toBe(200);
    return (await response.json()).choices[0].message.content as string;
  };

  it('runs an agent token as its agent: its instructions, its model for ""', async () => {
    const response = await chat(target, { messages: userSays('/instructions') }, bearer('tok-ledger'));
    const body = await response.clone().json();
    expect(body.model).toBe('gpt-4o');
    expect(await instructionsOf(response)).toBe('You keep the books.');
  });

  it('appends the request system message to the agent instructions', async () => {
    const messages = [
      { role: 'system', content: 'The user is on the invoices page.' },
      ...userSays('/instructions'),
    ];
    expect(await instructionsOf(await chat(target, { messages }, bearer('tok-ledger')))).toBe(
      'You keep the books.\n\nThe user is on the invoices page.',
    );
  });

  it('lets a model id override the agent model for one call', async () => {
    const body = await (
      await chat(target, { model: 'gpt-5.5', messages: userSays('x') }, bearer('tok-ledger'))
    ).json();
    expect(body.model).toBe('gpt-5.5');
  });

  it('lets a tenant-admin token name the agent by IC-Smith-Id or by the user field', async () => {
    const byHeader = await chat(
      target,
      { messages: userSays('/instructions') },
      { ...bearer('admin-acme'), 'ic-smith-id': 'smt_helper' },
    );
    expect(await instructionsOf(byHeader)).toBe('You help.');
    const byUser = await chat(
      target,
      { user: 'user-42', messages: userSays('/instructions') },
      bearer('admin-acme'),
    );
    expect(await instructionsOf(byUser)).toBe('You keep the books.');
  });

  it('answers 400 smith_unresolved when a tenant-admin token names no agent of its tenant', async () => {
    const none = await chat(target, { messages: userSays('x') }, bearer('admin-acme'));
    expect(await errorOf(none)).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'smith_unresolved',
    });
    const unknown = await chat(target, { user: 'nobody', messages: userSays('x') }, bearer('admin-acme'));
    expect(await errorOf(unknown)).toMatchObject({ status: 400, code: 'smith_unresolved' });
    const otherTenant = await chat(
      target,
      { messages: userSays('x') },
      { ...bearer('admin-other'), 'ic-smith-id': 'smt_ledger' },
    );
    expect(await errorOf(otherTenant)).toMatchObject({ status: 400, code: 'smith_unresolved' });
  });

  it('rejects unknown and missing tokens with 401', async () => {
    expect(await errorOf(await chat(target, { messages: userSays('x') }, bearer('forged')))).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    expect(await errorOf(await chat(target, { messages: userSays('x') }))).toMatchObject({
      status: 401,
      code: 'missing_credentials',
    });
  });

  it('keeps runs to the agent that made them', async () => {
    const own = await chat(target, { messages: userSays('x') }, bearer('tok-ledger'));
    const runId = own.headers.get('x-threadline-run-id')!;
    expect((await target.fetch(`/v1/runs/${runId}`, { headers: bearer('tok-ledger') })).status).toBe(200);
    const asOther = await target.fetch(`/v1/runs/${runId}`, {
      headers: { ...bearer('admin-acme'), 'ic-smith-id': 'smt_helper' },
    });
    expect(asOther.status).toBe(404);
  });
});
