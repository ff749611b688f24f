// Runtime helpers here are zod-free so a client that imports types and helpers pays nothing for
// schemas; the zod schemas live behind `@threadline/protocol/schemas`.
export * from './approval';
export * from './dialects';
export * from './errors';
export * from './headers';
export * from './sse';
export type * from './types';
