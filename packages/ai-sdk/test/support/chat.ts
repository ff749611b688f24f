import {
  AbstractChat,
  type ChatState,
  type ChatStatus,
  convertToModelMessages,
  DefaultChatTransport,
  type LanguageModel,
  lastAssistantMessageIsCompleteWithApprovalResponses,
  streamText,
  type UIMessage,
} from 'ai';

/** The smallest ChatState: what useChat keeps in React state, kept in plain fields. */
class MemoryState implements ChatState<UIMessage> {
  status: ChatStatus = 'ready';
  error: Error | undefined;
  messages: UIMessage[] = [];
  pushMessage = (message: UIMessage) => {
    this.messages = [...this.messages, message];
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: UIMessage) => {
    this.messages = this.messages.map((m, i) => (i === index ? message : m));
  };
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

export class TestChat extends AbstractChat<UIMessage> {
  constructor(
    init: ConstructorParameters<typeof AbstractChat<UIMessage>>[0] extends infer I ? Omit<I, 'state'> : never,
  ) {
    super({ ...init, state: new MemoryState() });
  }
  override get messages() {
    return this.state.messages;
  }
}

/**
 * A chat whose requests go to an app route (as useChat's would) that calls streamText with `model` and
 * answers toUIMessageStreamResponse(); the route runs in-process, the model talks to the real server.
 */
export function chatOn(model: LanguageModel, providerOptions?: Record<string, Record<string, string>>) {
  const bodies: UIMessage[][] = [];
  const route = async (request: Request) => {
    const { messages } = (await request.json()) as { messages: UIMessage[] };
    bodies.push(messages);
    const result = streamText({
      model,
      messages: await convertToModelMessages(messages),
      ...(providerOptions ? { providerOptions } : {}),
    });
    return result.toUIMessageStreamResponse();
  };
  const chat = new TestChat({
    transport: new DefaultChatTransport({
      api: 'http://app.test/api/chat',
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) =>
        route(new Request(input, init))) as typeof fetch,
    }),
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  return { chat, bodies };
}

/** Waits until the chat is idle again (sendAutomaticallyWhen may start a request on its own). */
export async function settled(chat: TestChat) {
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 10));
    if (chat.status === 'ready' || chat.status === 'error') return;
  }
  throw new Error(`chat still ${chat.status}`);
}
