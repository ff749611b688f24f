// A destructive server tool pauses the run; a person approves (or rejects) it; the run continues.
// Uses the reference server's demo set: "delete the draft …" calls the destructive `delete_draft` tool.
// `node examples/approval-flow.mjs reject` takes the other branch.
import { Threadline } from '@threadline/client';
import { start } from '@threadline/mock-server';

const decision = process.argv[2] === 'reject' ? 'reject' : 'approve';
const server = await start({ port: 0, host: '127.0.0.1' });
try {
  const client = new Threadline({ baseURL: server.url });
  const messages = [{ role: 'user', content: 'Please delete the draft Q3-plan.' }];

  const paused = await client.chat.completions.create({ model: '', messages });
  const [pause] = client.approvals.pending(paused);
  console.log(`paused: ${pause.name}(${JSON.stringify(pause.arguments)}) needs approval [${pause.id}]`);

  const decided = decision === 'approve' ? client.approvals.approve(pause) : client.approvals.reject(pause);
  const stream = await client.chat.completions.resume({
    model: '',
    stream: true,
    messages,
    completion: paused,
    decisions: [decided],
  });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
  const final = await stream.finalCompletion();
  process.stdout.write('\n');
  console.log(`stop reason: ${final.stop_reason ?? final.choices[0]?.finish_reason}`);

  const run = await client.runs.retrieve(pause.runId);
  console.log(`paused run ${run.id}: ${run.status}; tool call ${run.tool_calls[0]?.status}`);
} finally {
  await server.close();
}
