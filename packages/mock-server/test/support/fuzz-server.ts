/**
 * The fuzz test's server process: the reference server on a free port, reporting its URL and, on
 * request, its heap after a full GC (run with --expose-gc) over the IPC channel.
 */
import { start } from '../../src/index';

const config = JSON.parse(process.argv[2] ?? '{}');
const running = await start({ ...config, port: 0, host: '127.0.0.1' });
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (message: unknown) => {
  if (message !== 'heap') return;
  // Twice: the first pass may only queue finalisers that free more on the second.
  gc?.();
  gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.send?.({ kind: 'heap', heapUsed, rss, gc: gc !== undefined });
});
process.on('disconnect', () => {
  void running.close().then(() => process.exit(0));
});
process.send?.({ kind: 'listening', url: running.url, port: running.port });
