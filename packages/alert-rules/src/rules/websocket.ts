// Collaboration/WebSocket alerts: real-time editing connections of the collaboration service.
import { by, catalog, re, selector } from '@beacon/metric-catalog';
import { defineAlert } from '../spec';
import type { RuleGroup } from '../spec';

const { websocketConnections, websocketConnectionLimit, websocketMessages, websocketDisconnects } =
  catalog.platform;
const ns = 'platform';
const team = 'collaboration';
const messages = selector(websocketMessages, { namespace: ns });
const perService = by(websocketMessages, ['namespace', 'service']);
const perPod = ['namespace', 'service', 'pod'] as const;
/** Messages per second under which a rise is no spike: a few editors at a message a second. */
const SPIKE_FLOOR = 10;

export const websocket: RuleGroup = {
  domain: 'websocket',
  alerts: [
    defineAlert({
      name: 'WebSocketConnectionDrops',
      expr: `sum ${by(websocketDisconnects, ['namespace', 'service'])} (rate(${selector(websocketDisconnects, { namespace: ns, reason: re('error|timeout') })}[5m])) > 5`,
      for: '10m',
      severity: 'warning',
      team,
      summary: 'WebSocket connections to {{ $labels.service }} drop',
      description:
        '{{ $labels.service }} loses {{ $value | humanize }} WebSocket connections per second to errors and timeouts (threshold 5).',
    }),
    defineAlert({
      name: 'WebSocketMessageRateSpike',
      // Above a floor: the first editor of a quiet morning, at a message a second, was 3× the
      // night's rate.
      expr: `sum ${perService} (rate(${messages}[5m])) > 3 * sum ${perService} (rate(${messages}[1h])) and sum ${perService} (rate(${messages}[5m])) > ${SPIKE_FLOOR}`,
      for: '5m',
      severity: 'warning',
      team,
      summary: 'WebSocket message rate of {{ $labels.service }} spiked',
      description:
        '{{ $labels.service }} handles {{ $value | humanize }} WebSocket messages per second, more than 3 times its rate over the last hour (and over 10 a second).',
    }),
    defineAlert({
      name: 'WebSocketConnectionsNearLimit',
      expr: `max ${by(websocketConnections, perPod)} (${selector(websocketConnections, { namespace: ns })}) / max ${by(websocketConnectionLimit, perPod)} (${selector(websocketConnectionLimit, { namespace: ns })}) > 0.9`,
      for: '5m',
      severity: 'warning',
      team,
      summary: 'Pod {{ $labels.pod }} is near its WebSocket connection limit',
      description:
        'Pod {{ $labels.pod }} of {{ $labels.service }} holds {{ $value | humanizePercentage }} of the WebSocket connections it accepts (threshold 90%).',
    }),
  ],
};
