/**
 * Runs `checkFlow` off the main thread: thousands of generated conversations take seconds,
 * and the builder must stay responsive meanwhile. One request per worker; the page ends
 * the worker to cancel.
 */
import { checkFlow } from '@chatloom/flow-engine/testing';
import type { FlowTestReply, FlowTestRequest } from './flow-test-types.js';

const post = (reply: FlowTestReply) => postMessage(reply);

addEventListener('message', (event: MessageEvent<FlowTestRequest>) => {
  const { definition, options } = event.data;
  let lastProgress = 0;
  try {
    const report = checkFlow(definition, {
      ...options,
      onProgress: (checked, total) => {
        // A message per conversation would flood the page: about every 100 ms is plenty.
        const now = performance.now();
        if (now - lastProgress < 100 && checked < total) return;
        lastProgress = now;
        post({ type: 'progress', checked, total });
      },
    });
    const { toString: _t, assert: _a, ...data } = report;
    post({ type: 'done', report: data });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
