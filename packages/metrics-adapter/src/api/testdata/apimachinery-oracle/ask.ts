// Asks the apimachinery oracle (main.go beside this file, run with `go run`) one batch of
// questions, for the *.oracle.test.ts files. Go must be on PATH: without it the tests fail,
// naming it, as the e2e suite needs Go too. The first run on a machine compiles
// k8s.io/apimachinery (about a minute on a slow one; cached after), so callers ask once, from a
// beforeAll given ORACLE_TIMEOUT_MS.
import { askGoOracle } from '../../../testing/go-oracle';

export const ORACLE_TIMEOUT_MS = 300_000;

/**
 * The seed the oracle tests draw their questions with: fixed, so every run asks Go the same
 * questions and a failure comes back on the next; `FC_SEED=<n>` draws another sample, to look
 * beyond it (as re2.test.ts takes one).
 */
export const ORACLE_SEED = seedFrom(process.env.FC_SEED, 20261202);

function seedFrom(text: string | undefined, fixed: number): number {
  if (text === undefined) return fixed;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`FC_SEED must be an integer, not "${text}"`);
  }
  return seed;
}

export interface OracleQuestions {
  /** int64 milli-unit amounts, as decimal text. */
  milli?: string[];
  /** Values as Prometheus sends them (text) or as doubles. */
  values?: ({ text: string } | { number: number })[];
  /** Quantity text to parse. */
  canonical?: string[];
  labels?: { selector: string; sets: Record<string, string>[] }[];
  fields?: string[];
}

export interface OracleAnswers {
  /** resource.NewMilliQuantity(m, DecimalSI).String(). */
  milli?: string[];
  /** The value in milli-units after the adapter's documented roundings, worked out in Go. */
  values?: { milli?: string; error?: string }[];
  /** ParseQuantity: String() and the exact value in milli-units, or the error. */
  canonical?: { string?: string; milli?: string; error?: string }[];
  /** labels.Parse: the error, or String() and Matches() for each set. */
  labels?: { error?: string; string: string; matches: boolean[] | null }[];
  /** fields.ParseSelector: the error, or Requirements(). */
  fields?: {
    error?: string;
    requirements: { field: string; operator: string; value: string }[] | null;
  }[];
}

export function askApimachinery(questions: OracleQuestions): OracleAnswers {
  return askGoOracle('the k8s.io/apimachinery oracle', __dirname, questions, {
    timeoutMs: ORACLE_TIMEOUT_MS - 10_000,
  });
}
