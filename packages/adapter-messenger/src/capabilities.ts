/** What Messenger can show: flow-engine's Messenger profile (messenger-platform.md §2.4, §4). */
import type { AdapterCapabilities } from '@chatloom/core/adapter';
import { type ChannelProfile, channelProfiles } from '@chatloom/flow-engine';
import { sendApiCapabilities } from '@chatloom/meta-graph';

/** The one table of Messenger's limits and forms (`channelProfiles.messenger`). */
export const messengerProfile: ChannelProfile = channelProfiles.messenger;

/**
 * Core's view of the profile. The pace is Meta's 300 Send API calls a second per Page for
 * text (audio and video: 10/s; a media with a caption or a carousel with a text is two calls).
 */
export const messengerCapabilities: AdapterCapabilities = sendApiCapabilities(messengerProfile, {
  messagesPerSecond: 300,
});
