// Asks the negotiation oracle (main.go beside this file, run with `go run`) one batch of
// questions: k8s.io/apiserver's NegotiateOutputMediaType and encoding/json's Indent. Go must be
// on PATH: without it the tests fail, naming it, as the e2e suite needs Go too.
import { askGoOracle } from '../../../testing/go-oracle';

export const ORACLE_TIMEOUT_MS = 300_000;

export interface NegotiationQuestions {
  /** A GET of /x?<query> with these headers (absent when undefined). */
  negotiate?: { accept?: string; query: string; userAgent?: string }[];
  /** JSON text to indent as json.Indent(src, "", "  "). */
  indent?: string[];
}

export interface NegotiationAnswers {
  /** Whether it is acceptable, the media type chosen, and whether pretty-printed. */
  negotiate?: { ok: boolean; mediaType: string; pretty: boolean }[];
  indent?: { out?: string; error?: string }[];
}

export function askNegotiation(questions: NegotiationQuestions): NegotiationAnswers {
  return askGoOracle('the k8s.io/apiserver negotiation oracle', __dirname, questions, {
    timeoutMs: ORACLE_TIMEOUT_MS - 10_000,
  });
}
