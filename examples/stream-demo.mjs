// Starts the reference server on a free port and streams one chat completion from it, printing the text.
import { start } from '@threadline/mock-server';
import OpenAI from 'openai';

const server = await start({ port: 0, host: '127.0.0.1' });
try {
  const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-needed' });
  const stream = await openai.chat.completions.create({
    model: '',
    stream: true,
    messages: [{ role: 'user', content: 'Say hello to Threadline.' }],
  });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
  process.stdout.write('\n');
} finally {
  await server.close();
}
