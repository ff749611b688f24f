import { isToolUIPart, type UIMessage } from 'ai';
import { ToolCard } from './tool-card';

/** One chat message: its text pieces and its tool calls, in the order the stream produced them. */
export function MessageView({
  message,
  decide,
}: {
  message: UIMessage;
  decide: (id: string, approved: boolean) => void;
}) {
  return (
    <li className={`message ${message.role}`} data-role={message.role}>
      {message.parts.map((part, index) => {
        const key = `${message.id}-${index}`;
        if (part.type === 'text') {
          return (
            <p key={key} className="text">
              {part.text}
            </p>
          );
        }
        if (isToolUIPart(part)) return <ToolCard key={key} part={part} decide={decide} />;
        return null;
      })}
    </li>
  );
}
