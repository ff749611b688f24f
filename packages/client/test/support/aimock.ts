import { LLMock } from '@copilotkit/aimock';
import { afterAll, beforeAll } from 'vitest';
import { type ClientOptions, Threadline } from '../../src/index';

/** The answer aimock streams in its own twenty-character pieces. */
export const LONG =
  'A foreign server streams this sentence in twenty-character pieces, and the client joins them.';

/**
 * Starts aimock (@copilotkit/aimock, an OpenAI-compatible mock nobody here wrote) on port 0 around a
 * test file, answering 'long answer' with LONG plus what `fixtures` registers, and a client of it in the
 * openai dialect. Read the fields inside hooks and tests.
 */
export function useAimock(fixtures: (mock: LLMock) => void, clientOptions: ClientOptions = {}) {
  let mock: LLMock | undefined;
  let client: Threadline | undefined;
  beforeAll(async () => {
    mock = new LLMock({ port: 0, logLevel: 'silent', chunkSize: 20 });
    mock.onMessage('long answer', { content: LONG });
    fixtures(mock);
    await mock.start();
    client = new Threadline({
      baseURL: `${mock.url}/v1`,
      dialect: 'openai',
      apiKey: 'sk-foreign',
      ...clientOptions,
    });
  });
  afterAll(() => mock?.stop());
  function started() {
    if (!mock || !client) throw new Error('useAimock(): read its fields inside a hook or test');
    return { mock, client };
  }
  return {
    /** The mock itself: to read the requests it got. */
    get mock(): LLMock {
      return started().mock;
    },
    get client(): Threadline {
      return started().client;
    },
  };
}
