import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messagingWindow, windowRules } from './window.js';

const hour = 3_600_000;
const t0 = 1_700_000_000_000;

describe('messagingWindow', () => {
  it('WhatsApp: free-form for 24 hours after the last inbound message, then closed', () => {
    expect(messagingWindow(windowRules.whatsapp, t0, t0 + 23 * hour)).toEqual({
      open: true,
      closesAt: t0 + 24 * hour,
      humanAgentTag: false,
    });
    expect(messagingWindow(windowRules.whatsapp, t0, t0 + 24 * hour)).toEqual({
      open: false,
      closesAt: t0 + 24 * hour,
      humanAgentTag: false,
    });
    expect(messagingWindow(windowRules.whatsapp, t0, t0 + 25 * hour, 'agent').open).toBe(false);
  });

  it('Messenger and Instagram: a person may reply with the HUMAN_AGENT tag for 7 days; the bot may not', () => {
    for (const rule of [windowRules.messenger, windowRules.instagram]) {
      expect(messagingWindow(rule, t0, t0 + 30 * hour, 'bot').open).toBe(false);
      expect(messagingWindow(rule, t0, t0 + 30 * hour, 'agent')).toEqual({
        open: true,
        closesAt: t0 + 168 * hour,
        humanAgentTag: true,
      });
      expect(messagingWindow(rule, t0, t0 + 2 * hour, 'agent')).toEqual({
        open: true,
        closesAt: t0 + 24 * hour,
        humanAgentTag: false,
      });
      expect(messagingWindow(rule, t0, t0 + 168 * hour, 'agent').open).toBe(false);
    }
  });

  it('is closed when the user never wrote', () => {
    expect(messagingWindow(windowRules.whatsapp, null, t0)).toEqual({
      open: false,
      closesAt: null,
      humanAgentTag: false,
    });
  });

  it('is open exactly while now is before closesAt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * 24 * hour }),
        fc.constantFrom('bot', 'agent') as fc.Arbitrary<'bot' | 'agent'>,
        (elapsed, sender) => {
          for (const rule of Object.values(windowRules)) {
            const state = messagingWindow(rule, t0, t0 + elapsed, sender);
            expect(state.open).toBe(state.closesAt !== null && t0 + elapsed < state.closesAt);
            if (state.humanAgentTag) expect(sender).toBe('agent');
          }
        },
      ),
    );
  });
});
