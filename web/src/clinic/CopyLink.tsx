import { useId, useState } from 'react';

interface Props {
  label: string;
  url: string;
}

/** A read-only link with a Copy link button (the clipboard may be refused: the field stays selectable). */
export function CopyLink({ label, url }: Props) {
  const [note, setNote] = useState<string | null>(null);
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setNote('Copied.');
    } catch {
      setNote('Copying is blocked here: select the link and copy it.');
    }
  };
  return (
    <div className="share">
      <label htmlFor={`${id}-link`}>{label}</label>
      <div className="room-row">
        <input id={`${id}-link`} readOnly value={url} onFocus={(e) => e.target.select()} />
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy link
        </button>
      </div>
      {note && (
        <p className="hint" role="status">
          {note}
        </p>
      )}
    </div>
  );
}
