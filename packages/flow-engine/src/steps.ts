/** What a step offers, whatever its option type. */
import type { Action, FlowDefinition, LocalizedText, Step } from './schema.js';

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

/** The other flow an action starts; undefined for every other action (a `start` naming `flowId` itself restarts it). */
export function startedFlow(action: Action, flowId: string): string | undefined {
  return action.type === 'start' && action.flow !== undefined && action.flow !== flowId
    ? action.flow
    : undefined;
}

/** An action that starts another flow: where it is, and the flow it starts. */
export interface FlowLink {
  /** The id of the flow it starts. */
  flowId: string;
  /** JSON pointer to the action. */
  path: string;
  /** Where, in words: `option "book" of step "menu"`, `action 2 of the thank-you message`. */
  where: string;
}

/**
 * Every action of a flow that starts another flow. The flow format cannot know the tenant's
 * other flows: the host checks these (the reference server refuses to publish a flow that
 * starts one that does not exist).
 */
export function flowLinks(flow: FlowDefinition): FlowLink[] {
  const links: FlowLink[] = [];
  const add = (action: Action, path: string, where: string) => {
    const flowId = startedFlow(action, flow.id);
    if (flowId !== undefined) links.push({ flowId, path, where });
  };
  for (const [i, step] of flow.steps.entries()) {
    const at = `/steps/${i}/options`;
    const option = (id: string) => `option "${id}" of step "${step.id}"`;
    const o = step.options;
    switch (o.type) {
      case 'none':
        add(o.next, `${at}/next`, `the answer of step "${step.id}"`);
        break;
      case 'buttons':
        for (const [j, b] of o.buttons.entries())
          add(b.action, `${at}/buttons/${j}/action`, option(b.id));
        break;
      case 'list':
        for (const [j, r] of o.rows.entries())
          add(r.action, `${at}/rows/${j}/action`, option(r.id));
        break;
      case 'sections':
        for (const [k, section] of o.sections.entries())
          for (const [j, r] of section.rows.entries())
            add(r.action, `${at}/sections/${k}/rows/${j}/action`, option(r.id));
        break;
      case 'navigation':
        for (const [k, group] of o.groups.entries())
          for (const [j, n] of group.options.entries())
            add(n.action, `${at}/groups/${k}/options/${j}/action`, option(n.id));
        break;
    }
  }
  const system = flow.systemMessages ?? {};
  const names = { invalid: 'invalid', thankYou: 'thank-you', sessionTimeout: 'session timeout' };
  for (const kind of ['invalid', 'thankYou', 'sessionTimeout'] as const)
    for (const [k, a] of (system[kind]?.actions ?? []).entries())
      add(
        a.action,
        `/systemMessages/${kind}/actions/${k}/action`,
        `action ${k + 1} of the ${names[kind]} message`,
      );
  return links;
}
