/** Conversations as people read them: `user: …` and `bot: …` lines. */
import type { ChannelMessage, Choice, FlowInput, FlowOutput } from './types.js';

/** A message as a chat shows it, and its tappable choices in order. */
export function describeMessage(message: ChannelMessage): { text: string; choices: Choice[] } {
  switch (message.kind) {
    case 'text':
      return { text: message.text, choices: [] };
    case 'media':
      return {
        text: `[${message.media}: ${message.filename ?? message.url}]${message.caption ? `\n${message.caption}` : ''}`,
        choices: [],
      };
    case 'template':
      return {
        text: `[template ${message.name} (${message.language})${message.parameters.length ? `: ${message.parameters.join(', ')}` : ''}]`,
        choices: [],
      };
    case 'buttons':
      return {
        text: `${message.text}\n${message.buttons.map((b, i) => `  [${i + 1}] ${b.title}`).join('\n')}`,
        choices: message.buttons,
      };
    case 'list': {
      let n = 0;
      const lines = message.sections.flatMap((s) => [
        ...(s.title ? [`  ${s.title}`] : []),
        ...s.rows.map((r) => `  (${++n}) ${r.title}${r.description ? ` — ${r.description}` : ''}`),
      ]);
      return {
        text: `${message.text}\n  ≡ ${message.buttonLabel}\n${lines.join('\n')}`,
        choices: message.sections.flatMap((s) => s.rows),
      };
    }
    case 'options':
      return {
        text: `${message.text}\n${message.groups
          .flatMap((g) => [
            ...(g.title ? [`  ${g.title}`] : []),
            ...g.options.map((o) => `  ${o.key}. ${o.title}`),
          ])
          .join('\n')}`,
        choices: [],
      };
  }
}

const indent = (text: string) => text.replace(/\n/g, '\n     ');
const shorten = (text: string) =>
  text.length > 120 ? `${text.slice(0, 117)}… (${Array.from(text).length} characters)` : text;

/** One line for what the user did; `titles` names the choices the user could tap. */
export function describeInput(input: FlowInput, titles: ReadonlyMap<string, string>): string {
  switch (input.type) {
    case 'text':
      return `user: ${JSON.stringify(shorten(input.text))}`;
    case 'choice':
      return `user taps: ${titles.has(input.id) ? `"${titles.get(input.id)}"` : `an unknown or old button (${JSON.stringify(input.id)})`}`;
    case 'timer':
      return `timer: ${input.timerId} fires`;
    case 'language':
      return `user switches to ${input.language}`;
  }
}

/** Lines for what the bot did. */
export function describeOutputs(outputs: readonly FlowOutput[]): string[] {
  const lines: string[] = [];
  for (const output of outputs) {
    if (output.type === 'send') lines.push(`bot: ${indent(describeMessage(output.message).text)}`);
    else if (output.type === 'handoff') lines.push('-- handed off to a person');
    else if (output.type === 'start-flow') lines.push(`-- starts flow "${output.flowId}"`);
    else if (output.type === 'end') lines.push(`-- session ended (${output.reason})`);
  }
  return lines;
}
