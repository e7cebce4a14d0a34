import type { FlowDefinition } from '@chatloom/flow-engine';

/** A small valid flow: one step with two buttons. */
export const sampleFlow = (): FlowDefinition => ({
  format: 'chatloom.flow/v1',
  id: 'support',
  version: 1,
  name: 'Support',
  languages: ['en'],
  defaultLanguage: 'en',
  startStep: 'welcome',
  steps: [
    {
      id: 'welcome',
      message: { type: 'text', text: { en: 'Hi! How can we help?' } },
      options: {
        type: 'buttons',
        buttons: [
          { id: 'yes', label: { en: 'Talk to a person' }, action: { type: 'handoff' } },
          { id: 'no', label: { en: 'No thanks' }, action: { type: 'end' } },
        ],
      },
    },
  ],
});
