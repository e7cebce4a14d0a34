/**
 * The Send API properties of `@chatloom/testkit/conformance` (generated messages go out or are
 * refused locally, generated and malformed webhooks never throw), with Messenger's own webhook
 * cases: the quick-reply and postback fixtures, delivery and read watermarks.
 */
import { runSendApiProperties } from '@chatloom/testkit/conformance';
import { channel, fixture, fromUser, metaBytes, pageBody } from './__tests__/helpers.js';
import { createMessengerAdapter } from './messenger-adapter.js';

runSendApiProperties({
  platform: 'messenger',
  createAdapter: ({ graphApiBaseUrl }) => createMessengerAdapter({ graphApiBaseUrl }),
  channel: () => channel(),
  webhooks: [
    fixture('messenger-text.json'),
    fixture('messenger-quick-reply.json'),
    fixture('messenger-postback.json'),
    metaBytes(
      pageBody(
        fromUser({ delivery: { mids: ['m_1'], watermark: 1 } }),
        fromUser({ read: { watermark: 1 } }),
        fromUser({ reaction: { mid: 'm_1', action: 'react', emoji: '👍' } }),
        fromUser({
          message: { mid: 'm_2', attachments: [{ type: 'image', payload: { url: 'u' } }] },
        }),
      ),
    ),
  ],
  // Messenger reports deliveries and reads (watermarks).
  statuses: ['delivered', 'read'],
  forms: {
    of: (adapter, message) => adapter.render(message).form,
    expected: ['buttons', 'carousel', 'lettered', 'media', 'quick-replies', 'text'],
  },
});
