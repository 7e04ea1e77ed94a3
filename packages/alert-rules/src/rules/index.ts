import type { RuleGroup } from '../spec';
import { ai } from './ai';
import { application } from './application';
import { infrastructure } from './infrastructure';
import { websocket } from './websocket';

/** Every rule group, in output order. */
export const ruleGroups: readonly RuleGroup[] = [application, ai, websocket, infrastructure];
