// The floor: a bare node:http server in its own process replaying answers captured from the reference
// server (status, headers, body; a stream as the same SSE frames, one write each). It reads and parses
// the request body, as any server must to choose an answer, and does nothing else: no validation,
// routing table, state or journal. argv: a JSON file of { "<path> <stream|json>": capture }.
import { readFileSync } from 'node:fs';
import http from 'node:http';

/** @type {Record<string, { status: number, headers: Record<string, string>, frames: string[] }>} */
const captures = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const answers = new Map(
  Object.entries(captures).map(([key, capture]) => [
    key,
    { ...capture, frames: capture.frames.map((frame) => Buffer.from(frame)) },
  ]),
);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const answer = answers.get(`${req.url} ${body.stream ? 'stream' : 'json'}`);
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    if (answer.frames.length === 1 && !body.stream) {
      res.end(answer.frames[0]);
      return;
    }
    for (const frame of answer.frames) res.write(frame);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
