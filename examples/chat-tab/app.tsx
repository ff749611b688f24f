import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, lastAssistantMessageIsCompleteWithApprovalResponses } from 'ai';
import { type FormEvent, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { MessageView } from './message-view';
import { forgetSession, sessionId } from './session';

const HINTS = [
  'My locker code is ZEBRA-42.',
  'Please look up order A-1001.',
  'Please delete the draft Q3-plan.',
  'List my drafts.',
  'What is my locker code?',
];

function App() {
  const [session] = useState(sessionId);
  // The session id rides in every request body; the route hands it to the provider.
  const [transport] = useState(
    () => new DefaultChatTransport({ api: '/api/chat', body: { sessionId: session } }),
  );
  const { messages, sendMessage, addToolApprovalResponse, stop, status, error } = useChat({
    transport,
    // After the last pause is decided, the chat sends the decision on its own: the run resumes.
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  const [input, setInput] = useState('');
  const busy = status === 'submitted' || status === 'streaming';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = input.trim();
    if (!text || busy) return;
    void sendMessage({ text });
    setInput('');
  };

  return (
    <main data-status={status}>
      <header>
        <h1>Assistant</h1>
        <span className="session" title="memory is kept per session">
          session <code>{session}</code>
        </span>
        <button
          type="button"
          onClick={() => {
            forgetSession();
            location.reload();
          }}
        >
          New session
        </button>
      </header>
      <ul className="messages">
        {messages.map((message) => (
          <MessageView
            key={message.id}
            message={message}
            decide={(id, approved) => void addToolApprovalResponse({ id, approved })}
          />
        ))}
      </ul>
      {error && <p className="error">{error.message}</p>}
      <form onSubmit={submit}>
        <input
          aria-label="Message"
          value={input}
          placeholder="Ask something…"
          onChange={(event) => setInput(event.target.value)}
        />
        {busy ? (
          // Stopping drops the connection; the route then cancels the run on the server too.
          <button type="button" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="submit">Send</button>
        )}
      </form>
      <nav className="hints" aria-label="Demo prompts">
        try:
        {HINTS.map((hint) => (
          <button key={hint} type="button" disabled={busy} onClick={() => void sendMessage({ text: hint })}>
            {hint}
          </button>
        ))}
      </nav>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
