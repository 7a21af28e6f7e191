import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  message: string;
  busy?: boolean;
  children?: ReactNode;
}

/** A page that says one thing: a bad link, an ended visit, loading. Never a blank page. */
export function MessagePage({ title, message, busy = false, children }: Props) {
  const ref = useRef<HTMLHeadingElement | null>(null);
  useEffect(() => {
    if (!busy) ref.current?.focus();
  }, [busy, message]);
  return (
    <main className="join clinic-page message-page">
      <header className="brand">
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
      </header>
      <div className="join-form">
        <p className="message-text" role={busy ? 'status' : 'alert'}>
          {message}
        </p>
        {children}
      </div>
    </main>
  );
}
