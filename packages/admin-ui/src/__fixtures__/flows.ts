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

/** A valid flow in two languages: a menu of buttons, a list and a text question. */
export const menuFlow = (): FlowDefinition => ({
  format: 'chatloom.flow/v1',
  id: 'menu',
  version: 1,
  name: 'Menu',
  languages: ['en', 'es'],
  defaultLanguage: 'en',
  triggers: [{ language: 'en', match: 'exact', keyword: 'menu' }],
  startStep: 'menu',
  steps: [
    {
      id: 'menu',
      message: { type: 'text', text: { en: 'What do you need?', es: '¿Qué necesitas?' } },
      options: {
        type: 'buttons',
        buttons: [
          {
            id: 'orders',
            label: { en: 'My orders', es: 'Mis pedidos' },
            action: { type: 'goto', step: 'orders' },
          },
          {
            id: 'question',
            label: { en: 'A question', es: 'Una pregunta' },
            action: { type: 'goto', step: 'question' },
          },
          {
            id: 'person',
            label: { en: 'A person', es: 'Una persona' },
            action: { type: 'handoff' },
          },
        ],
      },
    },
    {
      id: 'orders',
      message: { type: 'text', text: { en: 'Which order?', es: '¿Qué pedido?' } },
      options: {
        type: 'list',
        buttonLabel: { en: 'Orders', es: 'Pedidos' },
        rows: [
          { id: 'last', title: { en: 'The last one', es: 'El último' }, action: { type: 'end' } },
          { id: 'back', title: { en: 'Back', es: 'Volver' }, action: { type: 'start' } },
        ],
      },
    },
    {
      id: 'question',
      message: { type: 'text', text: { en: 'Ask away.', es: 'Pregunta.' } },
      options: { type: 'none', next: { type: 'goto', step: 'menu' } },
    },
  ],
});

/** A valid flow of `count` steps, each a button going on to the next. */
export const longFlow = (count: number): FlowDefinition => ({
  format: 'chatloom.flow/v1',
  id: 'long',
  version: 1,
  name: 'Long',
  languages: ['en'],
  defaultLanguage: 'en',
  startStep: 's1',
  steps: Array.from({ length: count }, (_, i) => ({
    id: `s${i + 1}`,
    message: { type: 'text' as const, text: { en: `Message ${i + 1}` } },
    options:
      i + 1 < count
        ? {
            type: 'buttons' as const,
            buttons: [
              {
                id: 'next',
                label: { en: 'Next' },
                action: { type: 'goto' as const, step: `s${i + 2}` },
              },
            ],
          }
        : { type: 'none' as const, next: { type: 'end' as const } },
  })),
});
