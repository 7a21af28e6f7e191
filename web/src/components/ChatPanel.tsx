import { useEffect, useRef, useState } from 'react';

import type { ChatMessage } from '../meeting/chat';

interface Props {
  messages: ChatMessage[];
  onSend: (text: string) => string | null;
  onClose: () => void;
}

function time(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function ChatPanel({ messages, onSend, onClose }: Props) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement | null>(null);

  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [messages.length]);

  const send = (e: React.FormEvent) => {
    e.preventDefault();
    const problem = onSend(draft);
    setError(problem);
    if (!problem) setDraft('');
  };

  return (
    <aside className="panel chat" aria-labelledby="chat-title">
      <div className="panel-head">
        <h2 id="chat-title">Chat</h2>
        <button type="button" className="panel-close" aria-label="Close chat" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="messages" ref={listRef} role="log" aria-live="polite" aria-label="Chat history">
        <ol className="message-list">
        {messages.length === 0 && <li className="hint">Messages are seen by everyone in the call.</li>}
        {messages.map((m) => (
          <li key={m.id} className={`message${m.self ? ' own' : ''}${m.failed ? ' failed' : ''}`}>
            <div className="message-meta">
              <span className="message-sender">{m.self ? 'You' : m.senderName}</span>{' '}
              <time dateTime={new Date(m.timestampMs).toISOString()}>{time(m.timestampMs)}</time>
            </div>
            <p className="message-text">{m.text}</p>
            {m.failed && <p className="problem">Not delivered. Wait a moment and send again.</p>}
          </li>
        ))}
        </ol>
      </div>
      <form className="chat-form" onSubmit={send}>
        <label htmlFor="chat-input" className="visually-hidden">
          Message
        </label>
        <input
          id="chat-input"
          autoComplete="off"
          autoFocus
          maxLength={1000}
          placeholder="Write a message"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="primary">
          Send
        </button>
      </form>
      {error && (
        <p className="problem" role="alert">
          {error}
        </p>
      )}
    </aside>
  );
}
