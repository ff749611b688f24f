import { RateLimitError, Threadline } from '@threadline/client';
import { handlers } from '@threadline/mock-server/msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerTicket } from './support-bot';

// The reference server behind msw, with the demo set (server tools) plus one scripted answer.
const threadline = handlers({
  fixtures: [{ match: { userRegex: '/refund/i' }, reply: { text: 'Refunds take 5 business days.' } }],
});
const mocks = setupServer(...threadline);
const client = new Threadline({ baseURL: 'http://threadline.test', maxRetries: 2 });
const allowNothing = () => false;

beforeAll(() => mocks.listen({ onUnhandledFrame: 'error' }));
afterEach(() => threadline.server.reset());
afterAll(() => mocks.close());

describe('answerTicket', () => {
  it('streams a scripted answer', async () => {
    const answer = await answerTicket(client, 'How long does a refund take?', allowNothing);
    expect(answer).toEqual({ text: 'Refunds take 5 business days.', decisions: [] });
  });

  it('lets the policy approve a destructive tool, which then runs once on the server', async () => {
    const answer = await answerTicket(client, 'Please delete the draft Q3-plan.', () => true);
    expect(answer.decisions).toEqual([{ tool: 'delete_draft', decision: 'approve' }]);
    expect(answer.text).toContain('"deleted":true');
    expect(threadline.server.tools.executions.map((e) => e.tool)).toEqual(['delete_draft']);
  });

  it('rejects when the policy says no, and nothing runs', async () => {
    const answer = await answerTicket(client, 'Please delete the draft Q3-plan.', allowNothing);
    expect(answer.decisions).toEqual([{ tool: 'delete_draft', decision: 'reject' }]);
    expect(answer.text).toContain('not run');
    expect(threadline.server.tools.executions).toEqual([]);
  });

  it('survives a rate limit: the client waits as told and retries', async () => {
    threadline.server.faults.enqueue('rate-limit=0.05');
    const answer = await answerTicket(client, 'How long does a refund take?', allowNothing);
    expect(answer.text).toBe('Refunds take 5 business days.');
    const statuses = threadline.server.journal.list().map((entry) => entry.status);
    expect(statuses).toEqual([429, 200]);
  });

  it('gives up with a typed error when the limit persists', async () => {
    threadline.server.faults.enqueue('rate-limit=0.01', 3);
    await expect(answerTicket(client, 'How long does a refund take?', allowNothing)).rejects.toBeInstanceOf(
      RateLimitError,
    );
  });
});
