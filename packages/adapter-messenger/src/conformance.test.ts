/** The shared adapter conformance suite of @chatloom/testkit, against its Messenger harness. */
import { metaHarness, runAdapterConformance } from '@chatloom/testkit/conformance';
import { createMessengerAdapter } from './messenger-adapter.js';

runAdapterConformance({
  name: 'Messenger adapter conformance',
  platform: 'messenger',
  harness: metaHarness('messenger'),
  createAdapter: ({ graphApiBaseUrl, timeoutMs }) =>
    createMessengerAdapter({ graphApiBaseUrl, timeoutMs }),
});
