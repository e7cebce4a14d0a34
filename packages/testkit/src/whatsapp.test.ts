import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGraphApi, type FakeGraphApi } from './index.js';
import { buttons, graph, list, sendWhatsApp, waMessage } from './test-helpers.js';

const user = '15555550101';
const phoneId = '200000000000002';
const hour = 60 * 60 * 1000;
let clock = Date.UTC(2026, 0, 5, 12);
let fake: FakeGraphApi;

beforeAll(async () => {
  fake = await createFakeGraphApi({
    appSecret: 'test-secret',
    accessToken: 'test-token',
    now: () => clock,
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  clock = Date.UTC(2026, 0, 5, 12);
  fake.reset();
  fake.whatsapp.openWindow(user);
});

const emoji = '😀'; // one code point, two UTF-16 units
const repeat = (s: string, n: number) => s.repeat(n);

function withInteractive(mutate: (i: Record<string, unknown>) => void, base = buttons(2)) {
  const interactive = structuredClone(base);
  mutate(interactive);
  return waMessage('interactive', interactive);
}

type Action = { buttons: Array<{ reply: { id: string; title: string } }> };
type ListAction = {
  button: string;
  sections: Array<{
    title?: string;
    rows: Array<{ id: string; title: string; description?: string }>;
  }>;
};
const action = (i: Record<string, unknown>) => i.action as Action;
const listAction = (i: Record<string, unknown>) => i.action as ListAction;
const firstSection = (i: Record<string, unknown>) => {
  const s = listAction(i).sections[0];
  if (s === undefined) throw new Error('no section');
  return s;
};
const firstRow = (i: Record<string, unknown>) => {
  const r = firstSection(i).rows[0];
  if (r === undefined) throw new Error('no row');
  return r;
};
const firstButton = (i: Record<string, unknown>) => {
  const b = action(i).buttons[0];
  if (b === undefined) throw new Error('no button');
  return b;
};

describe('WhatsApp send: limits (whatsapp-cloud-api.md §4.2), rejected with Meta codes', () => {
  const cases: Array<[string, unknown, number, string]> = [
    [
      'text body over 4096',
      waMessage('text', { body: 'a'.repeat(4097) }),
      100,
      "Param text['body'] must be at most 4096",
    ],
    ['text body missing', waMessage('text', {}), 100, "The parameter text['body'] is required."],
    [
      'messaging_product missing',
      { to: user, type: 'text', text: { body: 'x' } },
      100,
      'The parameter messaging_product is required.',
    ],
    [
      'messaging_product wrong',
      { ...waMessage('text', { body: 'x' }), messaging_product: 'sms' },
      100,
      'messaging_product',
    ],
    [
      'to missing',
      { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } },
      100,
      'The parameter to is required.',
    ],
    ['unknown type', waMessage('hologram', {}), 100, 'Param type must be one of'],
    [
      'recipient_type invalid',
      { ...waMessage('text', { body: 'x' }), recipient_type: 'everyone' },
      100,
      'recipient_type',
    ],
    [
      'caption over 1024',
      waMessage('image', { link: 'https://example.com/a.jpg', caption: 'c'.repeat(1025) }),
      100,
      "['caption'] must be at most 1024",
    ],
    [
      'caption on audio',
      waMessage('audio', { link: 'https://example.com/a.ogg', caption: 'no' }),
      100,
      'not supported',
    ],
    [
      'media without id or link',
      waMessage('image', { caption: 'x' }),
      131008,
      'requires either an id or a link',
    ],
    [
      'media with both id and link',
      waMessage('video', { id: '1', link: 'https://example.com/v.mp4' }),
      131009,
      'only one of id and link',
    ],
    [
      'unknown media id',
      waMessage('document', { id: '123456' }),
      100,
      'not a valid whatsapp business account media attachment ID',
    ],
    [
      'media link not http',
      waMessage('image', { link: 'ftp://example.com/a.jpg' }),
      131009,
      "['link'] must be an http",
    ],
    [
      '0 reply buttons',
      waMessage('interactive', buttons(0)),
      131009,
      'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3',
    ],
    ['4 reply buttons', waMessage('interactive', buttons(4)), 131009, 'Invalid buttons count'],
    [
      'button title over 20',
      withInteractive((i) => {
        firstButton(i).reply.title = 'x'.repeat(21);
      }),
      131009,
      'Button title length invalid. Min length: 1, Max length: 20',
    ],
    [
      'button title 21 code points of emoji',
      withInteractive((i) => {
        firstButton(i).reply.title = repeat(emoji, 21);
      }),
      131009,
      'Button title length invalid',
    ],
    [
      'button title empty',
      withInteractive((i) => {
        firstButton(i).reply.title = '';
      }),
      131009,
      'Button title length invalid',
    ],
    [
      'duplicate button titles',
      withInteractive((i) => {
        const [a, b] = action(i).buttons;
        if (a && b) b.reply.title = a.reply.title;
      }),
      131009,
      'Duplicate button title',
    ],
    [
      'duplicate button ids',
      withInteractive((i) => {
        const [a, b] = action(i).buttons;
        if (a && b) b.reply.id = a.reply.id;
      }),
      131009,
      'Duplicate button id',
    ],
    [
      'button id over 256',
      withInteractive((i) => {
        firstButton(i).reply.id = 'i'.repeat(257);
      }),
      131009,
      'Button id length invalid. Min length: 1, Max length: 256',
    ],
    [
      'button id with spaces',
      withInteractive((i) => {
        firstButton(i).reply.id = ' padded';
      }),
      131009,
      'leading or trailing',
    ],
    [
      'button type not reply',
      withInteractive((i) => {
        (action(i).buttons[0] as unknown as { type: string }).type = 'url';
      }),
      100,
      "['type'] must be one of {REPLY}",
    ],
    [
      'buttons body over 1024',
      withInteractive((i) => {
        i.body = { text: 'b'.repeat(1025) };
      }),
      131009,
      'Body text length invalid. Min length: 1, Max length: 1024',
    ],
    [
      'interactive body missing',
      withInteractive((i) => {
        delete i.body;
      }),
      100,
      "The parameter interactive['body'] is required.",
    ],
    [
      'interactive body text empty',
      withInteractive((i) => {
        i.body = { text: '' };
      }),
      100,
      "The parameter interactive['body']['text'] is required.",
    ],
    [
      'header text over 60',
      withInteractive((i) => {
        i.header = { type: 'text', text: 'h'.repeat(61) };
      }),
      131009,
      'Header text length invalid. Min length: 1, Max length: 60',
    ],
    [
      'footer over 60',
      withInteractive((i) => {
        i.footer = { text: 'f'.repeat(61) };
      }),
      131009,
      'Footer text length invalid. Min length: 1, Max length: 60',
    ],
    [
      'button message with list action',
      withInteractive((i) => {
        i.action = listAction(list([1]));
      }),
      100,
      "The parameter interactive['action']['buttons'] is required.",
    ],
    [
      'interactive type unknown',
      withInteractive((i) => {
        i.type = 'carousel3d';
      }),
      100,
      "Param interactive['type'] must be one of",
    ],
    [
      'list body over 4096',
      withInteractive(
        (i) => {
          i.body = { text: 'b'.repeat(4097) };
        },
        list([2]),
      ),
      131009,
      'Body text length invalid. Min length: 1, Max length: 4096',
    ],
    [
      'list with 0 sections',
      withInteractive(
        (i) => {
          listAction(i).sections = [];
        },
        list([1]),
      ),
      131009,
      'Invalid sections count',
    ],
    [
      'list with 11 sections',
      waMessage('interactive', list([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])),
      131009,
      'Invalid sections count. Min allowed sections: 1, Max allowed sections: 10',
    ],
    [
      'list with 11 rows in total',
      waMessage('interactive', list([6, 5])),
      131009,
      'Total row count exceed max allowed count: 10',
    ],
    [
      'list with 11 rows in one section',
      waMessage('interactive', list([11])),
      131009,
      'Total row count exceed max allowed count: 10',
    ],
    [
      'two sections, one untitled',
      withInteractive(
        (i) => {
          delete firstSection(i).title;
        },
        list([1, 1]),
      ),
      131009,
      'Section title is required',
    ],
    [
      'section title over 24',
      withInteractive(
        (i) => {
          firstSection(i).title = 't'.repeat(25);
        },
        list([1]),
      ),
      131009,
      'Section title length invalid',
    ],
    [
      'row title over 24',
      withInteractive(
        (i) => {
          firstRow(i).title = 'r'.repeat(25);
        },
        list([1]),
      ),
      131009,
      'Row title is too long. Max length is 24',
    ],
    [
      'row description over 72',
      withInteractive(
        (i) => {
          firstRow(i).description = 'd'.repeat(73);
        },
        list([1]),
      ),
      131009,
      'Row description is too long. Max length is 72',
    ],
    [
      'row id over 200',
      withInteractive(
        (i) => {
          firstRow(i).id = 'i'.repeat(201);
        },
        list([1]),
      ),
      131009,
      'Row id is too long. Max length is 200',
    ],
    [
      'duplicate row ids',
      withInteractive(
        (i) => {
          const [a, b] = firstSection(i).rows;
          if (a && b) b.id = a.id;
        },
        list([2]),
      ),
      131009,
      'Duplicate row id',
    ],
    [
      'section with no rows',
      withInteractive(
        (i) => {
          firstSection(i).rows = [];
        },
        list([1]),
      ),
      131009,
      'Section rows count invalid',
    ],
    [
      'list button label over 20',
      withInteractive(
        (i) => {
          listAction(i).button = 'l'.repeat(21);
        },
        list([1]),
      ),
      131009,
      'Button text length invalid. Min length: 1, Max length: 20',
    ],
    [
      'list button label missing',
      withInteractive(
        (i) => {
          (listAction(i) as Partial<ListAction>).button = undefined;
        },
        list([1]),
      ),
      100,
      "The parameter interactive['action']['button'] is required.",
    ],
    [
      'list with an image header',
      withInteractive(
        (i) => {
          i.header = { type: 'image', image: { link: 'https://example.com/a.jpg' } };
        },
        list([1]),
      ),
      131009,
      'List messages support only text headers',
    ],
    [
      'list footer over 60',
      withInteractive(
        (i) => {
          i.footer = { text: 'f'.repeat(61) };
        },
        list([1]),
      ),
      131009,
      'Footer text length invalid',
    ],
    [
      'location without latitude',
      waMessage('location', { longitude: 1 }),
      100,
      "The parameter location['latitude'] is required.",
    ],
    [
      'reaction without message_id',
      waMessage('reaction', { emoji: '👍' }),
      100,
      "The parameter reaction['message_id'] is required.",
    ],
    [
      'contacts without a name',
      waMessage('contacts', [{ phones: [] }]),
      100,
      "['name']['formatted_name'] is required.",
    ],
    [
      'context without message_id',
      { ...waMessage('text', { body: 'x' }), context: {} },
      100,
      "The parameter context['message_id'] is required.",
    ],
    [
      'biz_opaque_callback_data over 512',
      { ...waMessage('text', { body: 'x' }), biz_opaque_callback_data: 'o'.repeat(513) },
      131009,
      'biz_opaque_callback_data',
    ],
  ];

  it.each(cases)('%s', async (_name, body, code, text) => {
    const answer = await sendWhatsApp(fake, body);
    expect(answer.status).toBe(400);
    const error = answer.body.error;
    expect(error?.code).toBe(code);
    expect(error?.type).toBe('OAuthException');
    expect(error?.error_data?.messaging_product).toBe('whatsapp');
    expect(`${error?.message} ${error?.error_data?.details}`).toContain(text);
    expect(error?.fbtrace_id).toMatch(/^\w{8,}$/);
    expect(fake.sent()).toHaveLength(0);
    expect(fake.requests.at(-1)).toMatchObject({
      accepted: false,
      errorCode: code,
      status: 400,
      channel: 'whatsapp',
    });
  });

  it('accepts every limit exactly at its maximum, counting code points', async () => {
    const atLimits = [
      waMessage('text', { body: repeat(emoji, 4096), preview_url: false }),
      waMessage('image', { link: 'https://example.com/a.jpg', caption: repeat(emoji, 1024) }),
      withInteractive((i) => {
        action(i).buttons = [0, 1, 2].map((n) => ({
          type: 'reply',
          reply: { id: `${n}${'i'.repeat(255)}`, title: `${n}${repeat(emoji, 19)}` },
        })) as unknown as Action['buttons'];
        i.body = { text: repeat(emoji, 1024) };
        i.header = { type: 'text', text: repeat(emoji, 60) };
        i.footer = { text: repeat(emoji, 60) };
      }),
      withInteractive(
        (i) => {
          i.body = { text: repeat(emoji, 4096) };
          listAction(i).button = repeat(emoji, 20);
          for (const section of listAction(i).sections) {
            section.title = repeat(emoji, 24);
            for (const row of section.rows) {
              row.title = repeat(emoji, 24);
              row.description = repeat(emoji, 72);
              row.id = `${row.id}${'x'.repeat(200 - row.id.length)}`;
            }
          }
        },
        list([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
      ),
    ];
    for (const body of atLimits) {
      const answer = await sendWhatsApp(fake, body);
      expect(answer.text, answer.text).toContain('"messages":[{"id":"wamid.');
    }
    expect(fake.sent({ channel: 'whatsapp' })).toHaveLength(atLimits.length);
  });

  it('answers a send with Meta’s success shape and records it', async () => {
    const answer = await sendWhatsApp(
      fake,
      waMessage('text', { body: 'Hello' }, '+1 (555) 555-0101'),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+1 (555) 555-0101', wa_id: user }],
      messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/=]+$/) }],
    });
    const [sent] = fake.sent({ to: '+1 (555) 555-0101' });
    expect(sent).toMatchObject({ channel: 'whatsapp', from: phoneId, type: 'text', at: clock });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/v23.0/${phoneId}/messages`,
      version: 'v23.0',
      status: 200,
      accepted: true,
      channel: 'whatsapp',
    });
  });

  it('defaults type to text, as Meta does', async () => {
    const answer = await sendWhatsApp(fake, {
      messaging_product: 'whatsapp',
      to: user,
      text: { body: 'no type' },
    });
    expect(answer.status).toBe(200);
  });

  it('sends to a business-scoped user ID through `recipient`', async () => {
    fake.whatsapp.openWindow('US.1000000000000000001');
    const answer = await sendWhatsApp(fake, {
      messaging_product: 'whatsapp',
      recipient: 'US.1000000000000000001',
      type: 'text',
      text: { body: 'hi' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.contacts).toEqual([
      { input: 'US.1000000000000000001', user_id: 'US.1000000000000000001' },
    ]);
  });
});

describe('WhatsApp 24-hour window (131047) on the injectable clock', () => {
  it('rejects a free-form message to a user who never wrote', async () => {
    const answer = await sendWhatsApp(fake, waMessage('text', { body: 'hi' }, '15555550199'));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 131047,
      message: '(#131047) Re-engagement message',
      error_data: { details: expect.stringContaining('more than 24 hours have passed') },
    });
  });

  it('opens with a user message, closes 24 h later, and never blocks templates', async () => {
    const other = '15555550177';
    await fake.whatsapp.userSends({ from: other, text: 'hello' });
    expect(fake.whatsapp.lastInboundAt(other)).toBe(clock);
    clock += 24 * hour;
    expect(
      (await sendWhatsApp(fake, waMessage('text', { body: 'still open' }, other))).status,
    ).toBe(200);
    expect((await sendWhatsApp(fake, waMessage('interactive', buttons(1), other))).status).toBe(
      200,
    );
    clock += 1;
    const closed = await sendWhatsApp(fake, waMessage('interactive', buttons(1), other));
    expect(closed.body.error?.code).toBe(131047);
    const reaction = await sendWhatsApp(
      fake,
      waMessage('reaction', { message_id: 'wamid.x', emoji: '👍' }, other),
    );
    expect(reaction.body.error?.code).toBe(131047);
    const template = await sendWhatsApp(
      fake,
      waMessage('template', { name: 'hello_world', language: { code: 'en_US' } }, other),
    );
    expect(template.status).toBe(200);
    expect(template.body.messages).toEqual([
      { id: expect.stringMatching(/^wamid\./), message_status: 'accepted' },
    ]);
    await fake.whatsapp.userSends({ from: other, text: 'back again' });
    expect((await sendWhatsApp(fake, waMessage('text', { body: 'reopened' }, other))).status).toBe(
      200,
    );
  });

  it('advanceTime moves the clock on top of options.now', async () => {
    fake.advanceTime(25 * hour);
    expect(fake.now()).toBe(clock + 25 * hour);
    expect((await sendWhatsApp(fake, waMessage('text', { body: 'late' }))).body.error?.code).toBe(
      131047,
    );
    fake.reset();
    expect(fake.now()).toBe(clock);
  });

  it('can be switched off for benchmarks', async () => {
    const open = await createFakeGraphApi({
      appSecret: 's',
      accessToken: 't',
      whatsapp: { enforceWindow: false },
    });
    try {
      expect(
        (await sendWhatsApp(open, waMessage('text', { body: 'x' }, '15550001111'))).status,
      ).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('WhatsApp throughput (130429)', () => {
  it('allows messagesPerSecond per phone number in any one-second window', async () => {
    const frozen = Date.UTC(2026, 0, 1);
    let now = frozen;
    const limited = await createFakeGraphApi({
      appSecret: 's',
      accessToken: 't',
      now: () => now,
      whatsapp: { enforceWindow: false },
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 81 }, () =>
          sendWhatsApp(limited, waMessage('text', { body: 'burst' })),
        ),
      );
      const limitedAnswers = answers.filter((a) => a.status !== 200);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(80);
      expect(limitedAnswers).toHaveLength(1);
      expect(limitedAnswers[0]?.status).toBe(400);
      expect(limitedAnswers[0]?.body.error).toMatchObject({
        code: 130429,
        message: '(#130429) Rate limit hit',
        error_data: { details: 'Cloud API message throughput has been reached.' },
      });
      now += 999;
      expect((await sendWhatsApp(limited, waMessage('text', { body: 'x' }))).body.error?.code).toBe(
        130429,
      );
      now += 1;
      expect((await sendWhatsApp(limited, waMessage('text', { body: 'x' }))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('counts per phone number and honours a custom rate', async () => {
    let now = 0;
    const limited = await createFakeGraphApi({
      appSecret: 's',
      accessToken: 't',
      now: () => now,
      messagesPerSecond: 2,
      whatsapp: {
        enforceWindow: false,
        phoneNumbers: [
          { id: '111', displayPhoneNumber: '15550000001', wabaId: '900', verifiedName: 'One' },
          { id: '222', displayPhoneNumber: '15550000002', wabaId: '900', verifiedName: 'Two' },
        ],
      },
    });
    try {
      const body = waMessage('text', { body: 'x' });
      for (const id of ['111', '111', '222', '222']) {
        expect((await graph(limited, 'POST', `/${id}/messages`, body)).status).toBe(200);
      }
      expect((await graph(limited, 'POST', '/111/messages', body)).body.error?.code).toBe(130429);
      now += 1000;
      expect((await graph(limited, 'POST', '/111/messages', body)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('Graph auth and routing', () => {
  it('answers a bad token with 190 and a missing one with 104, both HTTP 401', async () => {
    const bad = await sendWhatsApp(fake, waMessage('text', { body: 'x' }), { token: 'wrong' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({
      code: 190,
      type: 'OAuthException',
      message: 'Invalid OAuth access token - Cannot parse access token',
    });
    const none = await sendWhatsApp(fake, waMessage('text', { body: 'x' }), { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe(104);
    const check = await graph(fake, 'GET', `/${phoneId}`, undefined, { token: 'wrong' });
    expect(check.body.error?.code).toBe(190);
  });

  it('accepts the token as access_token in the query and any vNN.N version', async () => {
    const response = await fetch(`${fake.url}/v19.0/${phoneId}?access_token=${fake.accessToken}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('facebook-api-version')).toBe('v19.0');
  });

  it('answers an unknown ID with 100/33 (GraphMethodException)', async () => {
    const answer = await graph(
      fake,
      'POST',
      '/999999999/messages',
      waMessage('text', { body: 'x' }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 100,
      error_subcode: 33,
      type: 'GraphMethodException',
    });
    expect(answer.body.error?.message).toContain(
      "Unsupported post request. Object with ID '999999999' does not exist",
    );
  });

  it('answers an unknown edge with 2500 and malformed JSON with 100', async () => {
    expect((await graph(fake, 'POST', `/${phoneId}/nonsense`, {})).body.error?.code).toBe(2500);
    const response = await fetch(`${fake.url}/v23.0/${phoneId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.accessToken}`, 'content-type': 'application/json' },
      body: '{"messaging_product":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(100);
  });

  it('serves the credential check GET /{phone-number-id}, with fields', async () => {
    const all = await graph(fake, 'GET', `/${phoneId}`);
    expect(all.body).toMatchObject({
      id: phoneId,
      display_phone_number: '15550000000',
      verified_name: 'Chatloom Test',
      quality_rating: 'GREEN',
    });
    const some = await graph(fake, 'GET', `/${phoneId}?fields=verified_name,quality_rating`);
    expect(some.body).toEqual({
      verified_name: 'Chatloom Test',
      quality_rating: 'GREEN',
      id: phoneId,
    });
  });
});

describe('WhatsApp mark as read', () => {
  it('marks a received message read, with a typing indicator', async () => {
    const inbound = await fake.whatsapp.userSends({ from: user, text: 'hi' });
    const answer = await sendWhatsApp(fake, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: inbound.messageId,
      typing_indicator: { type: 'text' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ success: true });
    expect(fake.sent()).toHaveLength(0);
  });

  it('rejects an unknown message ID with 131009 and a message older than 30 days', async () => {
    const unknown = await sendWhatsApp(fake, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.nope',
    });
    expect(unknown.body.error?.code).toBe(131009);
    const inbound = await fake.whatsapp.userSends({ from: user, text: 'hi' });
    clock += 31 * 24 * hour;
    const old = await sendWhatsApp(fake, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: inbound.messageId,
    });
    expect(old.body.error?.code).toBe(131009);
    const noId = await sendWhatsApp(fake, { messaging_product: 'whatsapp', status: 'read' });
    expect(noId.body.error?.code).toBe(100);
    const badStatus = await sendWhatsApp(fake, {
      messaging_product: 'whatsapp',
      status: 'deleted',
      message_id: inbound.messageId,
    });
    expect(badStatus.body.error?.code).toBe(100);
  });
});

describe('WhatsApp media', () => {
  async function upload(
    type: string,
    data: Uint8Array,
    fields: Record<string, string> = { messaging_product: 'whatsapp' },
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([new Uint8Array(data)], { type }), 'file.bin');
    const response = await fetch(`${fake.url}/v23.0/${phoneId}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.accessToken}` },
      body: form,
    });
    return {
      status: response.status,
      body: (await response.json()) as { id?: string; error?: { code: number } },
    };
  }

  it('uploads (multipart), describes, downloads and sends media by ID', async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const uploaded = await upload('image/jpeg', bytes);
    expect(uploaded.status).toBe(200);
    const id = uploaded.body.id ?? '';
    expect(id).toMatch(/^\d+$/);
    const info = await graph(fake, 'GET', `/${id}`);
    expect(info.body).toMatchObject({
      id,
      mime_type: 'image/jpeg',
      file_size: 6,
      messaging_product: 'whatsapp',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const url = String(info.body.url);
    expect(url.startsWith(`${fake.url}/whatsapp_business/attachments/?mid=${id}`)).toBe(true);
    const download = await fetch(url, { headers: { authorization: `Bearer ${fake.accessToken}` } });
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    expect((await fetch(url)).status).toBe(401);
    const sent = await sendWhatsApp(fake, waMessage('image', { id, caption: 'photo' }));
    expect(sent.status).toBe(200);
    clock += 301_000;
    expect(
      (await fetch(url, { headers: { authorization: `Bearer ${fake.accessToken}` } })).status,
    ).toBe(404);
    expect((await graph(fake, 'DELETE', `/${id}`)).body).toEqual({ success: true });
    expect((await graph(fake, 'GET', `/${id}`)).body.error?.code).toBe(100);
  });

  it('serves media that a simulated user sent', async () => {
    const inbound = await fake.whatsapp.userSends({
      from: user,
      media: { kind: 'document', data: 'PDF!', filename: 'a.pdf' },
    });
    const payload = inbound.payload as {
      entry: Array<{
        changes: Array<{
          value: { messages: Array<{ document: { id: string; filename: string } }> };
        }>;
      }>;
    };
    const doc = payload.entry[0]?.changes[0]?.value.messages[0]?.document;
    expect(doc?.filename).toBe('a.pdf');
    const info = await graph(fake, 'GET', `/${doc?.id}`);
    const body = await (
      await fetch(String(info.body.url), {
        headers: { authorization: `Bearer ${fake.accessToken}` },
      })
    ).text();
    expect(body).toBe('PDF!');
  });

  it('rejects unsupported types (131053) and a missing file or product (100)', async () => {
    expect((await upload('application/x-msdownload', new Uint8Array([1]))).body.error?.code).toBe(
      131053,
    );
    expect((await upload('image/webp', new Uint8Array(600 * 1024))).body.error?.code).toBe(131053);
    expect((await upload('image/png', new Uint8Array([1]), {})).body.error?.code).toBe(100);
    const noFile = await graph(fake, 'POST', `/${phoneId}/media`, {
      messaging_product: 'whatsapp',
    });
    expect(noFile.body.error?.code).toBe(100);
  });
});
