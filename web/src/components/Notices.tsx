import type { Notice } from '../meeting/notifications';

interface Props {
  notices: Notice[];
  onDismiss: (id: number) => void;
}

/** Join, leave and dropped notices; read out by screen readers as they appear. */
export function Notices({ notices, onDismiss }: Props) {
  return (
    <div className="notices" role="status" aria-live="polite" aria-label="Notifications">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} data-kind={n.kind}>
          <span>{n.text}</span>
          <button type="button" className="notice-close" aria-label={`Dismiss: ${n.text}`} onClick={() => onDismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
