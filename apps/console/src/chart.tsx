// One chart: a <figure> named by its title (figcaption and aria-label), drawn by uPlot on a canvas as wide as
// the figure, and a sentence with the numbers for whoever cannot see the canvas.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const HEIGHT = 220;

export interface ChartSpec {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** The numbers in words ("12 players online: wechat 10, douyin 2"). */
  summary: string;
}

export function Chart({ title, spec }: { title: string; spec: ChartSpec | null }) {
  const box = useRef<HTMLDivElement>(null);
  const points = spec?.data[0]?.length ?? 0;

  useEffect(() => {
    const element = box.current;
    if (!element || !spec || points === 0) return;
    const size = () => ({ width: Math.max(element.clientWidth, 200), height: HEIGHT });
    const plot = new uPlot({ ...spec.options, ...size() }, spec.data, element);
    const observer = new ResizeObserver(() => plot.setSize(size()));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [spec, points]);

  return (
    <figure class="card chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      {spec && points > 0 ? <div class="plot" ref={box} aria-hidden="true" /> : null}
      <p class="summary">{spec ? spec.summary : 'Loading…'}</p>
    </figure>
  );
}
