// Server-side memory: a fact stated in one turn is recalled in the next turn of the same session,
// and an ingested document answers later questions. Another user on the same session id sees nothing.
import { Threadline } from '@threadline/client';
import { start } from '@threadline/mock-server';

const server = await start({ port: 0, host: '127.0.0.1' });
try {
  const ask = async (client, content) => {
    const completion = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content }],
    });
    return completion.choices[0]?.message.content;
  };
  const alice = new Threadline({ baseURL: server.url, sessionId: 'trip-planning', userId: 'alice' });
  await ask(alice, 'My locker code is ZEBRA-42.');
  console.log(`alice asks again: ${await ask(alice, 'What is my locker code?')}`);

  // The demo document ships with the server (its upload directory holds threadline-demo.md).
  const ingested = await alice.ingest({ filePath: 'threadline-demo.md' });
  console.log(`ingest: ${ingested.status}, ${ingested.tokens_processed} tokens`);
  console.log(`alice asks the document: ${await ask(alice, 'What is the launch code?')}`);

  const bob = alice.withOptions({ userId: 'bob' });
  console.log(`bob, same session id: ${await ask(bob, 'What is my locker code?')}`);
} finally {
  await server.close();
}
