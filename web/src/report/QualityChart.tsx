import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { clockTime } from './qualityReport';

export interface ChartMarker {
  atMs: number;
  kind: string; // joined | left | dropped
  label: string;
}

const MARKER_COLOURS: Record<string, string> = { joined: '#2e7d32', left: '#616161', dropped: '#c62828' };

/** Vertical lines at join/leave/drop times, drawn by uPlot's own draw hook. */
function markersPlugin(markers: ChartMarker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        for (const m of markers) {
          const x = u.valToPos(m.atMs / 1000, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = MARKER_COLOURS[m.kind] ?? '#616161';
          ctx.lineWidth = 2 * uPlot.pxRatio;
          ctx.setLineDash(m.kind === 'dropped' ? [] : [6 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

export interface QualityChartProps {
  id: string;
  title: string;
  unit: string;
  data: (number | null)[][];
  names: string[];
  colours: string[];
  markers: ChartMarker[];
}

/** One figure over time, one line per attendee (uPlot). */
export function QualityChart({ id, title, unit, data, names, colours, markers }: QualityChartProps) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = holder.current;
    if (!el) return undefined;
    const width = Math.max(300, Math.min(el.clientWidth || 900, 1100));
    const options: uPlot.Options = {
      width,
      height: 220,
      title,
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, (max ?? 1) * 1.1)] } },
      axes: [
        { values: (_u, ticks) => ticks.map((t) => clockTime(t * 1000)) },
        { label: unit, size: 60 },
      ],
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '' : clockTime(v * 1000)) },
        ...names.map((name, i) => ({
          label: name,
          stroke: colours[i % colours.length],
          width: 2,
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : `${v.toFixed(1)} ${unit}`),
        })),
      ],
      plugins: [markersPlugin(markers)],
    };
    const plot = new uPlot(options, data as uPlot.AlignedData, el);
    return () => plot.destroy();
  }, [title, unit, data, names, colours, markers]);

  // The chart may be wider than a phone: its scrolling holder is focusable, so a keyboard can scroll it.
  return (
    <div className="quality-chart" data-testid={`chart-${id}`} tabIndex={0} role="region" aria-label={`${title} chart`}>
      <div ref={holder} role="img" aria-label={`${title} over time`} />
    </div>
  );
}
