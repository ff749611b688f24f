import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  ChatCompletionStream,
  type Decision,
  type FileContent,
  type FinalCompletion,
  type FinishReason,
  type Health,
  type IngestResponse,
  type ModelList,
  type PendingApproval,
  type ResponseObject,
  type ResponseResource,
  type ResponseStream,
  type ResponsesStreamEvent,
  type RunRecord,
  type StopReason,
  type ToolMessage,
} from '../src/index';
import { user, useServer } from './support/server';

// The `expectTypeOf` lines are checked by `pnpm typecheck` (tsc covers the tests); the calls run for real,
// so each typed surface is also the one the server answers.
describe('typed params and results', () => {
  const ref = useServer({ reset: false });

  it('create() returns a completion, or a stream of typed chunks when stream is true', async () => {
    const json = await ref.client.chat.completions.create({ model: '', messages: user('types') });
    expectTypeOf(json).toEqualTypeOf<ChatCompletion>();
    expectTypeOf(json.choices[0]!.finish_reason).toEqualTypeOf<FinishReason>();
    expect(json.object).toBe('chat.completion');

    const stream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      messages: user('types'),
    });
    expectTypeOf(stream).toEqualTypeOf<ChatCompletionStream>();
    expect(stream).toBeInstanceOf(ChatCompletionStream);
    for await (const chunk of stream) {
      expectTypeOf(chunk).toEqualTypeOf<ChatCompletionChunk>();
      expect(chunk.object).toBe('chat.completion.chunk');
    }
    const final = await stream.finalCompletion();
    expectTypeOf(final).toEqualTypeOf<FinalCompletion>();
    expectTypeOf(final.stop_reason).toEqualTypeOf<StopReason | undefined>();
    type FinalCall = NonNullable<FinalCompletion['choices'][number]['message']['tool_calls']>[number];
    expectTypeOf<FinalCall['function']['parsed_arguments']>().toBeUnknown();
  });

  it('rejects malformed params at compile time', () => {
    // Never called: these lines exist for the compiler, which must refuse each of them.
    const compileOnly = () => {
      // @ts-expect-error a role the protocol does not have
      void ref.client.chat.completions.create({ model: '', messages: [{ role: 'wizard', content: 'x' }] });
      // @ts-expect-error messages are required
      void ref.client.chat.completions.create({ model: '' });
      // @ts-expect-error ingest takes one source, not two
      void ref.client.ingest({ filePath: 'a.md', uri: 's3://b/a.md' });
      // @ts-expect-error an upload needs a filename
      void ref.client.ingest({ file: new Uint8Array(1) });
    };
    expect(typeof compileOnly).toBe('function');
  });

  it('every other resource is typed with the wire names', () => {
    expectTypeOf(ref.client.models.list).returns.resolves.toEqualTypeOf<ModelList>();
    expectTypeOf(ref.client.health).returns.resolves.toEqualTypeOf<Health>();
    expectTypeOf(ref.client.runs.retrieve).returns.resolves.toEqualTypeOf<RunRecord>();
    expectTypeOf(ref.client.files.content).returns.resolves.toEqualTypeOf<FileContent>();
    expectTypeOf(ref.client.ingest).returns.resolves.toEqualTypeOf<IngestResponse>();
    expectTypeOf<IngestResponse>().toHaveProperty('tokens_processed');
    expectTypeOf(ref.client.approvals.pending).returns.toEqualTypeOf<PendingApproval[]>();
    // A decision is a chat tool message (plus an optional reason a responses resume carries).
    expectTypeOf(ref.client.approvals.approve).returns.toEqualTypeOf<Decision>();
    expectTypeOf<Decision>().toExtend<ToolMessage>();
    expect(Object.keys(ref.client.approvals).sort()).toEqual(['approve', 'pending', 'reject']);
  });

  it('responses are typed: the resource with output_text, a stream of events discriminated on type', async () => {
    const json = await ref.client.responses.create({ model: '', input: 'types' });
    expectTypeOf(json).toEqualTypeOf<ResponseObject>();
    expectTypeOf(json.output_text).toBeString();
    const stream = await ref.client.responses.create({ model: '', input: 'types', stream: true });
    expectTypeOf(stream).toEqualTypeOf<ResponseStream>();
    for await (const event of stream) {
      expectTypeOf(event).toEqualTypeOf<ResponsesStreamEvent>();
      if (event.type === 'response.output_text.delta') expectTypeOf(event.delta).toBeString();
      if (event.type === 'response.completed') expectTypeOf(event.response).toExtend<ResponseResource>();
    }
    expect((await stream.finalResponse()).output_text).toBe(json.output_text);
  });
});
