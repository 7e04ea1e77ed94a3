/**
 * Failed (bad) events under which a ratio alert stays quiet, however high the ratio: at one
 * request a minute a single failure is 1.7 % of an hour's requests, over 14 times the budget of
 * a 99.9 % SLO (the low-traffic case of the SRE workbook's "Alerting on SLOs"). HighErrorRatio
 * requires it in its 5-minute window, each SLO burn-rate alert in its long window. The runbooks
 * and the README state the value; tests hold them to it.
 */
export const MIN_FAILURES = 5;
