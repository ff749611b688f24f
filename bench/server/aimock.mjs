// aimock (@copilotkit/aimock) in its own process, answering the bench prompt with the bench text; prints
// "listening on URL" like our CLI. argv: the prompt, the text, aimock's chunk size (characters per frame).
import { LLMock } from '@copilotkit/aimock';

const [prompt, text, chunkSize] = process.argv.slice(2);
const mock = new LLMock({ port: 0, host: '127.0.0.1', logLevel: 'silent', chunkSize: Number(chunkSize) });
mock.onMessage(prompt, { content: text });
await mock.start();
process.stdout.write(`listening on ${mock.url}\n`);
const stop = () => mock.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
