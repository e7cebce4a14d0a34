/** What a step offers, whatever its option type. */
import type { Action, LocalizedText, Step } from './schema.js';

/** A step's choices in order (buttons, rows, navigation options), whatever its option type. */
export function stepChoices(step: Step): { id: string; label: LocalizedText; action: Action }[] {
  const o = step.options;
  switch (o.type) {
    case 'none':
      return [];
    case 'buttons':
      return o.buttons;
    case 'list':
      return o.rows.map((r) => ({ id: r.id, label: r.title, action: r.action }));
    case 'sections':
      return o.sections.flatMap((s) =>
        s.rows.map((r) => ({ id: r.id, label: r.title, action: r.action })),
      );
    case 'navigation':
      return o.groups.flatMap((g) => g.options);
  }
}

/** Every action a step can take: its choices' actions, or where its text input leads. */
export function stepActions(step: Step): Action[] {
  return step.options.type === 'none'
    ? [step.options.next]
    : stepChoices(step).map((c) => c.action);
}
