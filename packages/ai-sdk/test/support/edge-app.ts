// Bundled into a bare context with only web-standard globals (edge.test.ts): no process, no Buffer.
import { generateText, streamText } from 'ai';
import { approvalMessage, approve, createThreadline } from '../../src/index';

export async function run(baseURL: string) {
  const threadline = createThreadline({ baseURL });
  const model = threadline.chat('');
  const generated = await generateText({
    model,
    prompt: 'edge check',
    providerOptions: { threadline: { sessionId: 'edge' } },
  });
  let streamedText = '';
  for await (const delta of streamText({ model, prompt: 'edge stream' }).textStream) streamedText += delta;
  const paused = await generateText({ model, prompt: 'Please delete the draft Q3-plan.' });
  const request = paused.content.find((p) => p.type === 'tool-approval-request');
  const approvalId = request?.type === 'tool-approval-request' ? request.approvalId : '';
  const resumed = await generateText({
    model,
    messages: [
      { role: 'user', content: 'Please delete the draft Q3-plan.' },
      ...paused.response.messages,
      approvalMessage(approve(approvalId)),
    ],
  });
  const result = resumed.content.find((p) => p.type === 'tool-result');
  const errors: string[] = [];
  await streamText({
    model,
    prompt: 'Please fail this turn mid-stream.',
    onError: ({ error }) => {
      errors.push((error as { code?: string }).code ?? 'none');
    },
  }).consumeStream();
  return {
    text: generated.text,
    streamedText,
    approved: result?.type === 'tool-result' ? result.output : null,
    errors,
  };
}
