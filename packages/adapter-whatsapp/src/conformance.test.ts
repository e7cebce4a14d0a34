/** The shared adapter conformance suite of @chatloom/testkit, against the fake Graph API. No skips. */
import { metaHarness, runAdapterConformance } from '@chatloom/testkit/conformance';
import { createWhatsAppAdapter } from './whatsapp-adapter.js';

runAdapterConformance({
  name: 'WhatsApp',
  platform: 'whatsapp',
  createAdapter: ({ graphApiBaseUrl, timeoutMs }) =>
    createWhatsAppAdapter({ graphApiBaseUrl, timeoutMs }),
  harness: metaHarness('whatsapp'),
});
