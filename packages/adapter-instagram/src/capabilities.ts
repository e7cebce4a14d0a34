/** What Instagram can show: flow-engine's Instagram profile (instagram-messaging.md §3.1, §5). */
import type { AdapterCapabilities } from '@chatloom/core/adapter';
import { type ChannelProfile, channelProfiles } from '@chatloom/flow-engine';
import { sendApiCapabilities } from '@chatloom/meta-graph';

/** The one table of Instagram's limits and forms (`channelProfiles.instagram`). */
export const instagramProfile: ChannelProfile = channelProfiles.instagram;

/**
 * Instagram's text limit is cited as 1000 bytes of UTF-8 (unverified); the profile counts
 * 1000 code points, and the adapter also holds `message.text` to 1000 bytes so an emoji-heavy
 * text is never refused.
 */
export const instagramMaxTextBytes = 1000;

/**
 * Core's view of the profile. The pace is the lower of Meta's two figures, 100 Send API calls
 * a second per account (instagram-messaging.md §5).
 */
export const instagramCapabilities: AdapterCapabilities = sendApiCapabilities(instagramProfile, {
  messagesPerSecond: 100,
});
