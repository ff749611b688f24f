// The load generator, run as its own process by ../server.mjs: it reads one job per line on stdin
// ({ url, body, headers, connections, seconds }), runs autocannon against that target and answers one JSON line.
// One long-lived process serves every run, so the generator is as warmed up as the servers are, and no
// server ever shares a process (or an event loop) with its load.
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

for await (const line of createInterface({ input: process.stdin })) {
  const { url, body, headers, connections, seconds } = JSON.parse(line);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    duration: seconds,
    pipelining: 1,
  });
  process.stdout.write(
    `${JSON.stringify({
      requestsPerSecond: result.requests.total / result.duration,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    })}\n`,
  );
}
