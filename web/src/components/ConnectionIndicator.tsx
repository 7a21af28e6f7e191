import { qualityLabel, type Quality } from '../meeting/quality';

/** Three bars and a text label, so quality is not told by colour alone. */
export function ConnectionIndicator({ quality }: { quality: Quality }) {
  const bars = quality === 'good' ? 3 : quality === 'fair' ? 2 : 1;
  return (
    <div className={`quality quality-${quality}`} role="status" aria-label={qualityLabel(quality)} title={qualityLabel(quality)}>
      <span className="bars" aria-hidden="true">
        {[1, 2, 3].map((b) => (
          <span key={b} className={`bar bar-${b}${b <= bars ? ' on' : ''}`} />
        ))}
      </span>
      <span className="quality-text" aria-hidden="true">
        {quality === 'good' ? 'Good' : quality === 'fair' ? 'Fair' : 'Poor'}
      </span>
    </div>
  );
}
