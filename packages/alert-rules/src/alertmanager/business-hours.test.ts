// The info digest must reach its receiver whatever time its group starts. Alertmanager flushes an
// aggregation group group_wait after it is created, then every group_interval (dispatch.go,
// aggrGroup.run: ag.next.Reset(ag.opts.GroupInterval)), and a flush outside the route's
// active_time_intervals is dropped (notify.go, TimeActiveStage). This replays that schedule for
// groups started at every quarter hour of a week, against Mon–Fri 09:00–18:00 UTC.
import { parse } from 'yaml';
import { renderAlertmanagerConfig } from './config';

interface Route {
  matchers: string[];
  group_wait: string;
  group_interval: string;
  active_time_intervals?: string[];
}

function seconds(d: string): number {
  const m = /^(\d+)([smh])$/.exec(d);
  if (!m) throw new Error(`duration "${d}" not in s, m or h`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

/** Mon–Fri, 09:00 ≤ time < 18:00 UTC. */
function inBusinessHours(t: Date): boolean {
  const day = t.getUTCDay();
  const minutes = t.getUTCHours() * 60 + t.getUTCMinutes();
  return day >= 1 && day <= 5 && minutes >= 9 * 60 && minutes < 18 * 60;
}

const config = parse(renderAlertmanagerConfig()) as { route: { routes: Route[] } };
const info = config.route.routes.find((r) => r.matchers.includes('severity="info"'));

describe('the info digest route', () => {
  it('is only active in business hours', () => {
    expect(info?.active_time_intervals).toEqual(['business-hours']);
  });

  it('is sent within a week, whatever time of the week its group starts', () => {
    if (!info) throw new Error('no info route');
    const wait = seconds(info.group_wait) * 1000;
    const interval = seconds(info.group_interval) * 1000;
    const monday = Date.UTC(2026, 10, 30); // Monday 30 November 2026, 00:00 UTC
    const never: string[] = [];
    for (let start = monday; start < monday + 7 * 86400_000; start += 15 * 60_000) {
      let sent = false;
      for (let t = start + wait; t < start + wait + 7 * 86400_000; t += interval) {
        if (inBusinessHours(new Date(t))) {
          sent = true;
          break;
        }
      }
      if (!sent) never.push(new Date(start).toISOString());
    }
    expect(never).toEqual([]);
  });
});
