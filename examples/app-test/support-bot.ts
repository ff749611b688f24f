// A tiny app module: it answers a support question by streaming a reply, and lets a policy decide
// whether a destructive server tool may run. Its tests (support-bot.test.ts) run it against the
// reference server through msw — no network, no hand-written mocks.
import type { ChatMessage, Threadline } from '@threadline/client';

export interface Answer {
  text: string;
  /** Destructive tool calls the policy decided on, with the decision. */
  decisions: Array<{ tool: string; decision: 'approve' | 'reject' }>;
}

export async function answerTicket(
  client: Threadline,
  question: string,
  mayRun: (tool: string, args: unknown) => boolean,
): Promise<Answer> {
  const messages: ChatMessage[] = [{ role: 'user', content: question }];
  const first = await client.chat.completions.create({ model: '', stream: true, messages });
  let text = '';
  for await (const chunk of first) text += chunk.choices[0]?.delta.content ?? '';
  const completion = await first.finalCompletion();
  const pauses = client.approvals.pending(completion);
  if (pauses.length === 0) return { text, decisions: [] };

  const decisions = pauses.map((pause) => ({
    tool: pause.name,
    decision: mayRun(pause.name, pause.arguments) ? ('approve' as const) : ('reject' as const),
  }));
  const resumed = await client.chat.completions.resume({
    model: '',
    messages,
    completion,
    decisions: pauses.map((pause, i) =>
      decisions[i]?.decision === 'approve' ? client.approvals.approve(pause) : client.approvals.reject(pause),
    ),
  });
  return { text: resumed.choices[0]?.message.content ?? '', decisions };
}
