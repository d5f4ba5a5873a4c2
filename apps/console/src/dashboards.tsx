// The dashboards: players online, logins per minute, revenue per day, errors by reason, and the orders still
// waiting for delivery; asked again every 10 seconds (in one batched request).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type Outputs } from './api.js';
import { Chart } from './chart.js';
import { errorsChart, loginsChart, onlineChart, revenueChart } from './chart-specs.js';
import { useNotices } from './notices.js';

const REFRESH_MS = 10_000;

interface Figures {
  online: Outputs['dashboards']['online'];
  logins: Outputs['dashboards']['logins'];
  revenue: Outputs['dashboards']['revenue'];
  errors: Outputs['dashboards']['errors'];
  at: Date;
}

export function Dashboards() {
  const notices = useNotices();
  const [figures, setFigures] = useState<Figures | null>(null);

  useEffect(() => {
    let current = true;
    const refresh = () =>
      Promise.all([
        api.dashboards.online.query(),
        api.dashboards.logins.query({ hours: 24 }),
        api.dashboards.revenue.query({ days: 30 }),
        api.dashboards.errors.query(),
      ]).then(
        ([online, logins, revenue, errors]) => current && setFigures({ online, logins, revenue, errors, at: new Date() }),
        (error: unknown) => current && notices.fail(error),
      );
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [notices]);

  const specs = useMemo(
    () =>
      figures && {
        online: onlineChart(figures.online),
        logins: loginsChart(figures.logins),
        revenue: revenueChart(figures.revenue),
        errors: errorsChart(figures.errors),
      },
    [figures],
  );

  return (
    <section aria-labelledby="dashboards-title">
      <h1 id="dashboards-title">Dashboards</h1>
      <p class="waiting">{figures ? `Orders waiting for delivery: ${figures.revenue.ordersWaiting}` : 'Orders waiting for delivery: …'}</p>
      <p class="muted">{figures ? `Updated ${figures.at.toLocaleTimeString()}; every 10 seconds.` : 'Loading…'}</p>
      <div class="charts">
        <Chart title="Players online" spec={specs?.online ?? null} />
        <Chart title="Logins per minute" spec={specs?.logins ?? null} />
        <Chart title="Revenue per day" spec={specs?.revenue ?? null} />
        <Chart title="Errors by reason" spec={specs?.errors ?? null} />
      </div>
    </section>
  );
}
