/**
 * The same demo flow on all three channels. examples/demo-flow.json is played with the flow
 * engine; every message it sends goes through the channel's adapter to the fake Graph API, and
 * every reply comes back the way the platform sends it (a signed webhook body the fake builds,
 * parsed by the adapter), so choice ids make the whole round trip. What reached the fake is
 * written as a transcript per channel — examples/transcripts/demo-flow.<channel>.txt — for a
 * person to review each channel's rendering once; the test fails when one changes.
 */
import { readFileSync } from 'node:fs';
import { createInstagramAdapter } from '@chatloom/adapter-instagram';
import { createWhatsAppAdapter } from '@chatloom/adapter-whatsapp';
import type {
  ChannelAdapter,
  ChannelConfig,
  ContactIdentity,
  InboundContent,
} from '@chatloom/core/adapter';
import {
  advance,
  compileFlow,
  type FlowInput,
  type FlowOutput,
  type SessionSnapshot,
  start,
} from '@chatloom/flow-engine';
import { createFakeGraphApi, type FakeGraphApi, type SentMessage } from '@chatloom/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, appSecret, pageId, psid, verifyToken } from './__tests__/helpers.js';
import { createMessengerAdapter } from './messenger-adapter.js';

const flow = compileFlow(
  JSON.parse(readFileSync(new URL('../../../examples/demo-flow.json', import.meta.url), 'utf8')),
);
const encoder = new TextEncoder();

/** What the user does, in no channel's terms: tap the choice shown with this title, or type. */
type Action = { tap: string } | { type: string } | { timeout: true };

/** Every step of the demo, the invalid, timeout and thank-you messages included. */
const script: Action[] = [
  { type: 'hi' },
  { tap: 'See the menu' },
  { tap: 'Pizzas' },
  { tap: 'Margherita' },
  { type: 'not an email' },
  { type: 'ana@example.com' },
  { tap: 'Yes, main menu' },
  { tap: 'Track my order' },
  { type: '12345' },
  { type: 'C' },
  { tap: 'See the menu' },
  { tap: 'Drinks' },
  { type: 'ok' },
  { type: 'pizza?' },
  { tap: 'Main menu' },
  { timeout: true },
  { tap: 'Start again' },
  { tap: 'See the menu' },
  { tap: 'Pizzas' },
  { tap: 'Four cheese' },
  { type: 'bo@example.com' },
  { tap: 'No, thanks' },
];

/** A tappable choice as it reached the platform: its title and the id that comes back. */
interface ShownChoice {
  title: string;
  id: string;
  /** How the platform sends the tap back. */
  via: 'button_reply' | 'list_reply' | 'quick_reply' | 'postback';
}

interface Channel {
  name: 'whatsapp' | 'messenger' | 'instagram';
  title: string;
  createAdapter(graphApiBaseUrl: string): ChannelAdapter;
  config: ChannelConfig;
  to: ContactIdentity;
  /** The user's message, as the webhook body the platform posts. */
  userSends(fake: FakeGraphApi, action: { text: string } | ShownChoice): Promise<string>;
  /** Readable lines for one accepted message, and its tappable choices. */
  describe(sent: SentMessage): { lines: string[]; choices: ShownChoice[] };
}

let fake: FakeGraphApi;
beforeAll(async () => {
  fake = await createFakeGraphApi({ appSecret, accessToken });
});
afterAll(() => fake.close());

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.map(record) : [];
const quote = (text: unknown) =>
  String(text)
    .split('\n')
    .map((line) => `  │ ${line}`);

function describeWhatsApp(sent: SentMessage): { lines: string[]; choices: ShownChoice[] } {
  const body = record(sent.body);
  const type = String(body.type);
  if (type === 'text')
    return { lines: ['bot: text', ...quote(record(body.text).body)], choices: [] };
  if (type === 'interactive') {
    const interactive = record(body.interactive);
    const action = record(interactive.action);
    const text = record(interactive.body).text;
    if (interactive.type === 'button') {
      const buttons = list(action.buttons).map((b) => record(b.reply));
      return {
        lines: [
          'bot: reply buttons',
          ...quote(text),
          `  │ ${buttons.map((b) => `[${String(b.title)}]`).join(' ')}`,
        ],
        choices: buttons.map((b) => ({
          title: String(b.title),
          id: String(b.id),
          via: 'button_reply',
        })),
      };
    }
    const sections = list(action.sections);
    const rows = sections.flatMap((s) => list(s.rows));
    return {
      lines: [
        `bot: list, opened by [${String(action.button)}]`,
        ...quote(text),
        ...sections.flatMap((s) => [
          ...(s.title === undefined ? [] : [`  │   ${String(s.title)}`]),
          ...list(s.rows).map(
            (r) =>
              `  │   • ${String(r.title)}${r.description === undefined ? '' : ` — ${String(r.description)}`}`,
          ),
        ]),
      ],
      choices: rows.map((r) => ({ title: String(r.title), id: String(r.id), via: 'list_reply' })),
    };
  }
  const media = record(body[type]);
  return {
    lines: [
      `bot: ${type} ${String(media.link)}${media.filename === undefined ? '' : ` (${String(media.filename)})`}`,
      ...(media.caption === undefined ? [] : quote(media.caption)),
    ],
    choices: [],
  };
}

function describeSendApi(sent: SentMessage): { lines: string[]; choices: ShownChoice[] } {
  const message = record(record(sent.body).message);
  if (typeof message.text === 'string') {
    const replies = list(message.quick_replies);
    if (replies.length === 0) return { lines: ['bot: text', ...quote(message.text)], choices: [] };
    return {
      lines: [
        'bot: text with quick replies',
        ...quote(message.text),
        `  │ ${replies.map((r) => `(${String(r.title)})`).join(' ')}`,
      ],
      choices: replies.map((r) => ({
        title: String(r.title),
        id: String(r.payload),
        via: 'quick_reply',
      })),
    };
  }
  const attachment = record(message.attachment);
  const payload = record(attachment.payload);
  const postbacks = (buttons: unknown): ShownChoice[] =>
    list(buttons).map((b) => ({ title: String(b.title), id: String(b.payload), via: 'postback' }));
  const buttonRow = (choices: ShownChoice[]) => choices.map((c) => `[${c.title}]`).join(' ');
  if (payload.template_type === 'button') {
    const choices = postbacks(payload.buttons);
    return {
      lines: ['bot: button template', ...quote(payload.text), `  │ ${buttonRow(choices)}`],
      choices,
    };
  }
  if (payload.template_type === 'generic') {
    const elements = list(payload.elements);
    return {
      lines: [
        'bot: generic template (carousel)',
        ...elements.map((e) => `  │ ▭ ${String(e.title)}: ${buttonRow(postbacks(e.buttons))}`),
      ],
      choices: elements.flatMap((e) => postbacks(e.buttons)),
    };
  }
  return { lines: [`bot: ${String(attachment.type)} ${String(payload.url)}`], choices: [] };
}

const channels: Channel[] = [
  {
    name: 'whatsapp',
    title: 'WhatsApp',
    createAdapter: (graphApiBaseUrl) => createWhatsAppAdapter({ graphApiBaseUrl }),
    config: {
      id: 'ch_whatsapp',
      tenantId: 't',
      settings: { phoneNumberId: '200000000000002', wabaId: '100000000000001' },
      credentials: { accessToken, appSecret, verifyToken },
    },
    to: { phone: '15555550101' },
    async userSends(f, action) {
      const from = '15555550101';
      const delivery =
        'text' in action
          ? await f.whatsapp.userSends({ from, text: action.text })
          : action.via === 'list_reply'
            ? await f.whatsapp.userSends({
                from,
                listReply: { id: action.id, title: action.title },
              })
            : await f.whatsapp.userSends({
                from,
                buttonReply: { id: action.id, title: action.title },
              });
      return delivery.rawBody;
    },
    describe: describeWhatsApp,
  },
  {
    name: 'messenger',
    title: 'Messenger',
    createAdapter: (graphApiBaseUrl) => createMessengerAdapter({ graphApiBaseUrl }),
    config: {
      id: 'ch_messenger',
      tenantId: 't',
      settings: { pageId },
      credentials: { accessToken, appSecret, verifyToken },
    },
    to: { userId: psid },
    async userSends(f, action) {
      return (await f.messenger.userSends({ psid, ...pageContent(action) })).rawBody;
    },
    describe: describeSendApi,
  },
  {
    name: 'instagram',
    title: 'Instagram',
    createAdapter: (graphApiBaseUrl) =>
      createInstagramAdapter({ host: 'instagram', graphApiBaseUrl }),
    config: {
      id: 'ch_instagram',
      tenantId: 't',
      settings: { instagramAccountId: '17840000000000021' },
      credentials: { accessToken, appSecret, verifyToken },
    },
    to: { userId: '500000000000022' },
    async userSends(f, action) {
      return (await f.instagram.userSends({ igsid: '500000000000022', ...pageContent(action) }))
        .rawBody;
    },
    describe: describeSendApi,
  },
];

function pageContent(action: { text: string } | ShownChoice) {
  if ('text' in action) return { text: action.text };
  const tap = { payload: action.id, title: action.title };
  return action.via === 'quick_reply' ? { quickReply: tap } : { postback: tap };
}

function flowInput(content: InboundContent | undefined): FlowInput {
  if (content?.kind === 'choice') return { type: 'choice', id: content.id };
  if (content?.kind === 'text') return { type: 'text', text: content.text };
  throw new Error(`the demo user only types and taps, got ${JSON.stringify(content)}`);
}

/** Plays the script on one channel; returns the transcript. */
async function play(channel: Channel): Promise<string> {
  const adapter = channel.createAdapter(fake.url);
  fake.reset();
  const lines = [
    `# examples/demo-flow.json on ${channel.title}: what reached the fake Graph API`,
    `# (written by packages/adapter-messenger/src/demo-flow.test.ts; review a change here once)`,
  ];
  let shown: ShownChoice[] = [];
  let now = 1_717_000_000_000;
  let snapshot: SessionSnapshot | undefined;

  const deliver = async (outputs: FlowOutput[]) => {
    for (const output of outputs) {
      if (output.type === 'handoff') lines.push('-- handed off to a person');
      if (output.type === 'end') lines.push(`-- session ended (${output.reason})`);
      if (output.type !== 'send') continue;
      const before = fake.sent().length;
      await adapter.send(output.message, { to: channel.to, channel: channel.config });
      for (const sent of fake.sent().slice(before)) {
        const { lines: described, choices } = channel.describe(sent);
        lines.push(...described);
        if (choices.length > 0) shown = choices;
      }
    }
  };

  for (const action of script) {
    now += 60_000;
    let input: FlowInput;
    if ('timeout' in action) {
      const timer = snapshot?.context.timer;
      if (!timer) throw new Error('no session timeout armed');
      now = Math.max(now, timer.at);
      lines.push('', '(15 minutes pass: the session timeout fires)');
      input = { type: 'timer', timerId: timer.id };
    } else {
      let userAction: { text: string } | ShownChoice;
      if ('tap' in action) {
        const choice = shown.find((c) => c.title === action.tap);
        // A choice shown as lettered text is answered by typing its title.
        userAction = choice ?? { text: action.tap };
        lines.push(
          '',
          choice === undefined
            ? `user types "${action.tap}" (the choice is a line of text here)`
            : `user taps [${choice.title}] → ${choice.via} ${JSON.stringify(choice.id)}`,
        );
      } else {
        userAction = { text: action.type };
        lines.push('', `user types "${action.type}"`);
      }
      const raw = encoder.encode(await channel.userSends(fake, userAction));
      const parsed = adapter.parseWebhook(raw, channel.config);
      if (!parsed.ok) throw new Error(parsed.error);
      const event = parsed.events[0];
      input = flowInput(event?.type === 'message' ? event.content : undefined);
    }
    const result =
      snapshot === undefined
        ? start(flow, { now, vars: { name: 'Ana' } })
        : advance(flow, snapshot, input, now);
    snapshot = result.snapshot;
    await deliver(result.outputs);
  }
  const rejected = fake.requests.filter((r) => !r.accepted);
  expect(rejected.map((r) => JSON.stringify(r.response))).toEqual([]);
  return `${lines.join('\n')}\n`;
}

describe('the demo flow on every channel, through each adapter, to the fake Graph API', () => {
  for (const channel of channels) {
    it(`${channel.title}: every message accepted; transcript of each channel's best rendering`, async () => {
      const transcript = await play(channel);
      await expect(transcript).toMatchFileSnapshot(
        `../../../examples/transcripts/demo-flow.${channel.name}.txt`,
      );
    });
  }
});
