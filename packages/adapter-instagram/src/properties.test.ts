/**
 * The Send API properties of `@chatloom/testkit/conformance` (generated messages go out or are
 * refused locally, generated and malformed webhooks never throw), on the `instagram` host, with
 * Instagram's own webhook cases: a read by mid, an unsend (`is_deleted`), a story reply, a quick
 * reply and a postback. Its 1000-byte text limit is checked by the fake on every send.
 */
import { runSendApiProperties } from '@chatloom/testkit/conformance';
import { accountBody, channel, fixture, fromUser, metaBytes } from './__tests__/helpers.js';
import { createInstagramAdapter } from './instagram-adapter.js';

runSendApiProperties({
  platform: 'instagram',
  createAdapter: ({ graphApiBaseUrl }) =>
    createInstagramAdapter({ host: 'instagram', graphApiBaseUrl }),
  channel: () => channel(),
  webhooks: [
    fixture('instagram-text.json'),
    metaBytes(
      accountBody(
        fromUser({ read: { mid: 'ig_mid.1' } }),
        fromUser({ message: { mid: 'ig_mid.D', is_deleted: true } }),
        fromUser({
          message: {
            mid: 'ig_mid.S',
            text: 'x',
            reply_to: { story: { id: '1', url: 'https://x' } },
          },
        }),
        fromUser({ message: { mid: 'ig_mid.Q', text: 'Yes', quick_reply: { payload: 'a:b' } } }),
        fromUser({ postback: { mid: 'ig_mid.P', title: 'T', payload: 'a:c' } }),
        fromUser({ reaction: { mid: 'm_1', action: 'react', emoji: '👍' } }),
        fromUser({
          message: { mid: 'm_2', attachments: [{ type: 'image', payload: { url: 'u' } }] },
        }),
      ),
    ),
  ],
  // Instagram reports reads only (by mid): no delivery receipts.
  statuses: ['read'],
  forms: {
    of: (adapter, message) => adapter.render(message).form,
    expected: ['buttons', 'carousel', 'lettered', 'media', 'quick-replies', 'text'],
  },
});
