/**
 * The customer-service window: after a user's last message, free-form messages may go out
 * for a while (24 hours on WhatsApp, Messenger and Instagram); after that only templates on
 * WhatsApp, or on Messenger and Instagram a person's reply tagged HUMAN_AGENT for up to
 * 7 days. Pure: the caller passes `now`.
 */

const hour = 60 * 60 * 1000;

/** How long free-form messages may follow a user's last message, per channel. */
export interface WindowRule {
  /** Free-form messages of any sender (bot or person). */
  standardMs: number;
  /** A person's replies, tagged `HUMAN_AGENT`, where the channel allows it. */
  humanAgentMs?: number;
}

/** The rules of the three Meta channels. */
export const windowRules = {
  whatsapp: { standardMs: 24 * hour },
  messenger: { standardMs: 24 * hour, humanAgentMs: 7 * 24 * hour },
  instagram: { standardMs: 24 * hour, humanAgentMs: 7 * 24 * hour },
} as const satisfies Record<string, WindowRule>;

export interface WindowState {
  /** A free-form message from this sender may go out now. */
  open: boolean;
  /** When the window closes for this sender (epoch ms); null when the user never wrote. */
  closesAt: number | null;
  /** The message must carry the HUMAN_AGENT tag (Messenger and Instagram past 24 hours). */
  humanAgentTag: boolean;
}

export const windowClosedMessage =
  'A template message is required outside the 24-hour messaging window.';

/**
 * Whether a free-form message may go out at `now`, given the user's last inbound message.
 * `sender: 'agent'` is a person replying, who gets the channel's human-agent window.
 */
export function messagingWindow(
  rule: WindowRule,
  lastInboundAt: number | null | undefined,
  now: number,
  sender: 'bot' | 'agent' = 'bot',
): WindowState {
  if (lastInboundAt === null || lastInboundAt === undefined) {
    return { open: false, closesAt: null, humanAgentTag: false };
  }
  const standardClose = lastInboundAt + rule.standardMs;
  if (now < standardClose) return { open: true, closesAt: standardClose, humanAgentTag: false };
  if (sender === 'agent' && rule.humanAgentMs !== undefined) {
    const agentClose = lastInboundAt + rule.humanAgentMs;
    return { open: now < agentClose, closesAt: agentClose, humanAgentTag: now < agentClose };
  }
  return { open: false, closesAt: standardClose, humanAgentTag: false };
}
