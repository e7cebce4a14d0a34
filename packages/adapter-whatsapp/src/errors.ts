/**
 * WhatsApp Cloud API error codes → what core does (whatsapp-cloud-api.md §8, §9). Graph-wide
 * codes (1, 2, 4, 190, 100, 368 …) come from @chatloom/meta-graph; these are WhatsApp's own.
 */
import {
  defineGraphErrorTable,
  type GraphErrorRule,
  type GraphErrorTable,
  ruleForCode,
} from '@chatloom/meta-graph';

const second = 1000;
const minute = 60 * second;

const permanent = (why: string): GraphErrorRule => ({ kind: 'permanent', why });

/** Meta: retry a pair-rate-limited send after 4^X seconds, X = 0, 1, 2 …; capped at ~17 minutes. */
export function pairRateLimitWaitMs(consecutive: number): number {
  return 4 ** Math.min(Math.max(0, consecutive), 5) * second;
}

export const whatsAppErrorCodes: Readonly<Record<number, GraphErrorRule>> = {
  // Retry with backoff.
  130429: {
    kind: 'rate-limited',
    why: 'Cloud API throughput reached (80 messages/s per number by default)',
    retryAfterMs: second,
  },
  131056: {
    kind: 'rate-limited',
    why: 'pair rate limit: too many messages to this recipient; retry after 4^x seconds',
    retryAfterMs: pairRateLimitWaitMs,
  },
  80007: {
    kind: 'rate-limited',
    why: 'WhatsApp Business Account rate limit',
    retryAfterMs: minute,
  },
  131000: { kind: 'retryable', why: 'something went wrong at Meta' },
  131016: { kind: 'retryable', why: 'WhatsApp service temporarily unavailable' },
  131057: {
    kind: 'retryable',
    why: 'business account in maintenance mode (throughput upgrade, up to a minute)',
    retryAfterMs: 15 * second,
  },
  // The 24-hour window: send a template instead.
  131047: {
    kind: 'window-closed',
    why: 'more than 24 hours since the customer last wrote; only a template may go out',
  },
  // Fix the input, the account or the recipient; retrying changes nothing.
  131008: permanent('a required parameter is missing'),
  131009: permanent('a parameter value is not valid'),
  131021: permanent('the recipient cannot be the sender'),
  131026: permanent(
    'message undeliverable: not a WhatsApp user, an old client, or they have not accepted the terms',
  ),
  131030: permanent('the recipient is not in the test number’s allowed list'),
  131031: permanent('the business account is restricted or locked'),
  131042: permanent('business payment issue'),
  131045: permanent('the phone number is not registered (certificate)'),
  131048: permanent('spam rate limit: earlier messages were blocked or flagged; check quality'),
  131049: permanent('Meta withheld this marketing message for the user’s experience; wait 24 h'),
  131050: permanent('the user stopped marketing messages'),
  131051: permanent('unsupported message type'),
  131052: permanent('media download error'),
  131053: permanent('media upload error: the media could not be fetched or is not supported'),
  133010: permanent('the phone number is not registered on the Cloud API'),
};

/** The WhatsApp error table the adapter classifies with (Graph codes included). */
export const whatsAppErrorTable: GraphErrorTable = defineGraphErrorTable(
  'WhatsApp',
  whatsAppErrorCodes,
  [
    {
      from: 132000,
      to: 132016,
      rule: permanent(
        'template error: missing, not approved, paused, disabled or wrong parameters',
      ),
    },
  ],
);

/**
 * What core would do with a WhatsApp error code that came another way (a `failed` status
 * webhook's `errors[].code`). Unknown codes: `permanent`.
 */
export function whatsAppErrorKind(code: number | string): GraphErrorRule['kind'] {
  const n = typeof code === 'number' ? code : Number(code);
  if (!Number.isInteger(n)) return 'permanent';
  return ruleForCode(whatsAppErrorTable, n)?.kind ?? 'permanent';
}
