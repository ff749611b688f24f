// Bundled into a bare context with only web-standard globals (responses-edge.test.ts): no process, no Buffer.
import { generateText, streamText } from 'ai';
import { approvalMessage, approve, createThreadline } from '../../src/index';

export async function run(baseURL: string) {
  const model = createThreadline({ baseURL }).responses('');
  const first = await generateText({
    model,
    prompt: 'edge check',
    providerOptions: { threadline: { sessionId: 'edge' } },
  });
  const previousResponseId = String(first.providerMetadata?.threadline?.responseId);
  let streamedText = '';
  const tools: string[] = [];
  for await (const part of streamText({
    model,
    prompt: 'Please look up order A-1001.',
    providerOptions: { threadline: { previousResponseId } },
  }).fullStream) {
    if (part.type === 'text-delta') streamedText += part.text;
    if (part.type === 'tool-call' || part.type === 'tool-result') tools.push(part.type);
  }
  const paused = await generateText({ model, prompt: 'Please delete the draft Q3-plan.' });
  const request = paused.content.find((p) => p.type === 'tool-approval-request');
  const approvalId = request?.type === 'tool-approval-request' ? request.approvalId : '';
  const resumed = streamText({
    model,
    messages: [
      { role: 'user', content: 'Please delete the draft Q3-plan.' },
      ...paused.response.messages,
      approvalMessage(approve(approvalId)),
    ],
  });
  const [approved] = await resumed.toolResults;
  const errors: string[] = [];
  await streamText({
    model,
    prompt: 'Please fail this turn mid-stream.',
    onError: ({ error }) => {
      errors.push((error as { code?: string }).code ?? 'none');
    },
  }).consumeStream();
  return {
    text: first.text,
    streamedText: streamedText.slice(0, 'lookup_order returned'.length),
    tools,
    approved: approved?.toolCallId === approvalId ? approved.output : null,
    errors,
  };
}
