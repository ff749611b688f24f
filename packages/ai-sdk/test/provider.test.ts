import { readFileSync } from 'node:fs';
import { InvalidPromptError, NoSuchModelError } from '@ai-sdk/provider';
import { generateText } from 'ai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { approvalMessage, approve, createThreadline, reject, threadline, VERSION } from '../src/index';
import { useServer } from './support/server';

const ref = useServer();

describe('createThreadline', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is a ProviderV4: callable, chat, languageModel and responses models, "" by default', () => {
    const provider = createThreadline({ baseURL: 'http://x' });
    expect(provider.specificationVersion).toBe('v4');
    expect(provider().modelId).toBe('');
    expect(provider('m').provider).toBe('threadline.chat');
    expect(provider.chat('m').specificationVersion).toBe('v4');
    expect(provider.languageModel('m').provider).toBe('threadline.chat');
    expect(provider.responses('m').provider).toBe('threadline.responses');
    expect(createThreadline({ name: 'acme' }).chat('').provider).toBe('acme.chat');
  });

  it('has no embedding or image models', () => {
    const provider = createThreadline({ baseURL: 'http://x' });
    expect(() => provider.embeddingModel('e')).toThrow(NoSuchModelError);
    expect(() => provider.imageModel('i')).toThrow(NoSuchModelError);
  });

  it('the default instance reads THREADLINE_BASE_URL and THREADLINE_API_KEY when a call is made', async () => {
    vi.stubEnv('THREADLINE_BASE_URL', `${ref.url}/v1/`);
    vi.stubEnv('THREADLINE_API_KEY', 'sk-test-123456789');
    const result = await generateText({ model: threadline(''), prompt: 'from env' });
    expect(result.text).toBe('You said: from env');
    const sent = ref.journal().at(-1);
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toMatch(/^Bearer /);
    expect(sent?.headers['user-agent']).toContain(`ai-sdk/threadline/${VERSION}`);
  });

  it('without a base URL anywhere, a call says which setting is missing', async () => {
    vi.stubEnv('THREADLINE_BASE_URL', undefined as unknown as string);
    const error = await generateText({ model: createThreadline().chat(''), prompt: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(String(error)).toContain('THREADLINE_BASE_URL');
  });

  it('VERSION is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('approve() / reject()', () => {
  it('build the approval response ai forwards to a provider (providerExecuted: true)', () => {
    expect(approve('run_a::c1')).toEqual({
      type: 'tool-approval-response',
      approvalId: 'run_a::c1',
      approved: true,
      providerExecuted: true,
    });
    expect(reject('run_a::c1', 'no')).toEqual({
      type: 'tool-approval-response',
      approvalId: 'run_a::c1',
      approved: false,
      reason: 'no',
      providerExecuted: true,
    });
    expect(approvalMessage(approve('run_a::c1'))).toEqual({ role: 'tool', content: [approve('run_a::c1')] });
    expect(() => approve('')).toThrow(TypeError);
  });

  it('a hand-made response without providerExecuted is dropped by ai; the provider says what to send', async () => {
    const model = ref.provider().chat('');
    const paused = await generateText({ model, prompt: 'Please delete the draft Q3-plan.' });
    const request = paused.content.find((p) => p.type === 'tool-approval-request');
    const approvalId = request?.type === 'tool-approval-request' ? request.approvalId : '';
    const error = await generateText({
      model,
      messages: [
        { role: 'user', content: 'Please delete the draft Q3-plan.' },
        ...paused.response.messages,
        { role: 'tool', content: [{ type: 'tool-approval-response', approvalId, approved: true }] },
      ],
    }).catch((e: unknown) => e);
    expect(InvalidPromptError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toContain('providerExecuted: true');
    expect(ref.chatBodies()).toHaveLength(1);
    expect((await ref.run(approvalId.split('::')[0]!)).status).toBe('awaiting_approval');
  });
});
