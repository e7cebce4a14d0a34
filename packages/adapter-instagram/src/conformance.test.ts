/**
 * The shared adapter conformance suite of @chatloom/testkit, against its Instagram harness, for
 * both setups: Instagram Login (graph.instagram.com) and a linked Page (graph.facebook.com).
 */
import { metaHarness, runAdapterConformance } from '@chatloom/testkit/conformance';
import { createInstagramAdapter } from './instagram-adapter.js';
import type { InstagramHost } from './settings.js';

for (const host of ['instagram', 'facebook'] as const satisfies readonly InstagramHost[]) {
  runAdapterConformance({
    name: `Instagram adapter conformance (host ${host})`,
    platform: 'instagram',
    harness: metaHarness('instagram'),
    createAdapter: ({ graphApiBaseUrl, timeoutMs }) =>
      createInstagramAdapter({ host, graphApiBaseUrl, timeoutMs }),
  });
}
