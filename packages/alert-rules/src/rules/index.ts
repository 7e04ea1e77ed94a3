import { slo } from '../slo';
import type { RuleGroup } from '../spec';
import { ai } from './ai';
import { application } from './application';

export { PLATFORM_SERVICES } from './application';
import { business } from './business';
import { infrastructure } from './infrastructure';
import { security } from './security';
import { storage } from './storage';
import { tools } from './tools';
import { websocket } from './websocket';

/** Every rule group, in output order. */
export const ruleGroups: readonly RuleGroup[] = [
  application,
  ai,
  websocket,
  infrastructure,
  storage,
  business,
  tools,
  security,
  slo,
];
