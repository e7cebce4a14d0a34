import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGraphApi, type FakeGraphApi } from './index.js';
import { graph } from './test-helpers.js';

const pageId = '300000000000011';
const igId = '17840000000000021';
const psid = '400000000000012';
const igsid = '500000000000022';
const hour = 60 * 60 * 1000;
let clock = Date.UTC(2026, 0, 5, 12);
let fake: FakeGraphApi;

beforeAll(async () => {
  fake = await createFakeGraphApi({
    appSecret: 'test-secret',
    accessToken: 'system-token',
    now: () => clock,
    messenger: { pages: [{ id: pageId, name: 'Test Page', accessToken: 'page-token' }] },
    instagram: { accounts: [{ id: igId, username: 'shop', accessToken: 'ig-token' }] },
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  clock = Date.UTC(2026, 0, 5, 12);
  fake.reset();
  fake.messenger.openWindow(psid);
  fake.instagram.openWindow(igsid);
});

function pageSend(
  message: Record<string, unknown> | undefined,
  extra: Record<string, unknown> = {},
  token = 'page-token',
) {
  const body: Record<string, unknown> = {
    recipient: { id: psid },
    messaging_type: 'RESPONSE',
    ...extra,
  };
  if (message !== undefined) body.message = message;
  return graph(fake, 'POST', '/me/messages', body, { token });
}

function igSend(message: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return graph(
    fake,
    'POST',
    `/${igId}/messages`,
    { recipient: { id: igsid }, messaging_type: 'RESPONSE', message, ...extra },
    { token: 'ig-token' },
  );
}

const buttonTemplate = (buttons: unknown[], text = 'What next?') => ({
  attachment: { type: 'template', payload: { template_type: 'button', text, buttons } },
});
const postbackButton = (title = 'Talk', payload = 'TALK') => ({ type: 'postback', title, payload });
const genericTemplate = (elements: unknown[]) => ({
  attachment: { type: 'template', payload: { template_type: 'generic', elements } },
});
const element = (overrides: Record<string, unknown> = {}) => ({
  title: 'Shoe',
  subtitle: 'Red',
  ...overrides,
});
const quickReplies = (n: number, title = 'Red') =>
  Array.from({ length: n }, (_, i) => ({ content_type: 'text', title, payload: `P${i}` }));

describe('Messenger Send API limits', () => {
  const cases: Array<
    [
      string,
      Record<string, unknown> | undefined,
      Record<string, unknown>,
      number,
      number | undefined,
      string,
    ]
  > = [
    [
      'text over 2000',
      { text: 't'.repeat(2001) },
      {},
      100,
      undefined,
      'Length of param message[text] must be less than or equal to 2000',
    ],
    ['empty message', {}, {}, 100, 2018034, 'Message cannot be empty'],
    ['empty text', { text: '' }, {}, 100, 2018034, 'Message cannot be empty'],
    [
      'neither message nor sender_action',
      undefined,
      {},
      100,
      2018015,
      'Must send either message or state',
    ],
    [
      'text and attachment',
      { text: 'x', ...buttonTemplate([postbackButton()]) },
      {},
      100,
      undefined,
      'Only one of',
    ],
    [
      '14 quick replies',
      { text: 'x', quick_replies: quickReplies(14) },
      {},
      105,
      undefined,
      'param message[quick_replies] has too many elements.',
    ],
    [
      '0 quick replies',
      { text: 'x', quick_replies: [] },
      {},
      194,
      undefined,
      'has too few elements.',
    ],
    [
      'quick reply without content_type',
      { text: 'x', quick_replies: [{ title: 'a', payload: 'b' }] },
      {},
      100,
      undefined,
      'message[quick_replies][0][content_type] is required',
    ],
    [
      'quick reply without title',
      { text: 'x', quick_replies: [{ content_type: 'text', payload: 'b' }] },
      {},
      100,
      2018098,
      'Title is required',
    ],
    [
      'quick reply without payload',
      { text: 'x', quick_replies: [{ content_type: 'text', title: 'a' }] },
      {},
      100,
      2018099,
      'Payload is required',
    ],
    [
      'quick reply payload over 1000',
      {
        text: 'x',
        quick_replies: [{ content_type: 'text', title: 'a', payload: 'p'.repeat(1001) }],
      },
      {},
      100,
      undefined,
      '[payload] must be less than or equal to 1000',
    ],
    [
      'metadata over 1000',
      { text: 'x', metadata: 'm'.repeat(1001) },
      {},
      100,
      undefined,
      'message[metadata]',
    ],
    [
      'attachment without type',
      { attachment: { payload: {} } },
      {},
      100,
      undefined,
      'message[attachment][type] is required',
    ],
    [
      'attachment without payload',
      { attachment: { type: 'image' } },
      {},
      100,
      undefined,
      'message[attachment][payload] is required',
    ],
    [
      'image without url',
      { attachment: { type: 'image', payload: {} } },
      {},
      100,
      undefined,
      '[url] must be a valid URL',
    ],
    [
      'unknown template type',
      { attachment: { type: 'template', payload: { template_type: 'hologram' } } },
      {},
      100,
      undefined,
      'Invalid template type',
    ],
    [
      'button template with 4 buttons',
      buttonTemplate([1, 2, 3, 4].map((n) => postbackButton(`B${n}`, `P${n}`))),
      {},
      105,
      undefined,
      'param name_placeholder[buttons] has too many elements.',
    ],
    [
      'button template with no buttons',
      buttonTemplate([]),
      {},
      100,
      undefined,
      'param name_placeholder[buttons] must be non-empty.',
    ],
    [
      'button template text over 640',
      buttonTemplate([postbackButton()], 't'.repeat(641)),
      {},
      100,
      undefined,
      'Length of param name_placeholder[text] must be less than or equal to 640',
    ],
    [
      'button template without text',
      buttonTemplate([postbackButton()], ''),
      {},
      100,
      undefined,
      'The parameter name_placeholder[text] is required',
    ],
    [
      'button without title',
      buttonTemplate([{ type: 'postback', payload: 'P' }]),
      {},
      100,
      2018053,
      'Element button title cannot be empty.',
    ],
    [
      'button title over 20',
      buttonTemplate([postbackButton('b'.repeat(21))]),
      {},
      100,
      undefined,
      '[title] must be less than or equal to 20',
    ],
    [
      'postback without payload',
      buttonTemplate([{ type: 'postback', title: 'T' }]),
      {},
      100,
      2018040,
      'Payload cannot be empty',
    ],
    [
      'web_url without url',
      buttonTemplate([{ type: 'web_url', title: 'Site' }]),
      {},
      100,
      2018041,
      'Web url cannot be empty',
    ],
    [
      'web_url with a bad url',
      buttonTemplate([{ type: 'web_url', title: 'Site', url: 'not a url' }]),
      {},
      100,
      undefined,
      'should represent a valid URL',
    ],
    [
      'button without type',
      buttonTemplate([{ title: 'T', payload: 'P' }]),
      {},
      100,
      undefined,
      '[type] is required',
    ],
    [
      'generic with 11 elements',
      genericTemplate(Array.from({ length: 11 }, () => element())),
      {},
      105,
      undefined,
      'param name_placeholder[elements] has too many elements.',
    ],
    ['generic with no elements', genericTemplate([]), {}, 194, undefined, 'has too few elements.'],
    [
      'element title over 80',
      genericTemplate([element({ title: 't'.repeat(81) })]),
      {},
      100,
      undefined,
      '[elements][0][title] must be less than or equal to 80',
    ],
    [
      'element subtitle over 80',
      genericTemplate([element({ subtitle: 's'.repeat(81) })]),
      {},
      100,
      undefined,
      '[subtitle] must be less than or equal to 80',
    ],
    [
      'element with only a title',
      genericTemplate([{ title: 'Lonely' }]),
      {},
      100,
      2018035,
      'Incomplete element data',
    ],
    [
      'element with 4 buttons',
      genericTemplate([element({ buttons: [1, 2, 3, 4].map((n) => postbackButton(`B${n}`)) })]),
      {},
      105,
      undefined,
      'has too many elements.',
    ],
    [
      'missing messaging_type',
      { text: 'x' },
      { messaging_type: undefined },
      100,
      undefined,
      'messaging_type is required',
    ],
    [
      'bad messaging_type',
      { text: 'x' },
      { messaging_type: 'NON_PROMOTIONAL_SUBSCRIPTION' },
      100,
      undefined,
      'Param messaging_type must be one of',
    ],
    [
      'MESSAGE_TAG without tag',
      { text: 'x' },
      { messaging_type: 'MESSAGE_TAG' },
      100,
      undefined,
      'tag is required',
    ],
    [
      'retired tag',
      { text: 'x' },
      { messaging_type: 'MESSAGE_TAG', tag: 'ISSUE_RESOLUTION' },
      100,
      undefined,
      'Param tag must be one of',
    ],
    [
      'unknown sender_action',
      undefined,
      { sender_action: 'dance' },
      100,
      undefined,
      'Param sender_action must be one of',
    ],
  ];

  it.each(cases)('%s', async (_name, message, extra, code, subcode, text) => {
    const answer = await pageSend(message, extra);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe(code);
    expect(answer.body.error?.type).toBe('OAuthException');
    expect(answer.body.error?.error_subcode).toBe(subcode);
    expect(answer.body.error?.message).toContain(text);
    expect(answer.body.error?.message.startsWith(`(#${code}) `)).toBe(true);
    expect(fake.sent()).toHaveLength(0);
  });

  it('accepts text at 2000 code points, 13 quick replies, full templates, and sender actions', async () => {
    const ok = [
      { text: '😀'.repeat(2000) },
      {
        text: 'Pick',
        quick_replies: [
          ...quickReplies(11),
          { content_type: 'user_email' },
          { content_type: 'user_phone_number' },
        ],
      },
      buttonTemplate(
        [
          postbackButton('a'.repeat(20)),
          { type: 'web_url', title: 'Site', url: 'https://example.com' },
          { type: 'phone_number', title: 'Call', payload: '+15550000000' },
        ],
        'x'.repeat(640),
      ),
      genericTemplate(
        Array.from({ length: 10 }, (_, i) =>
          element({
            title: `${i}${'t'.repeat(79)}`,
            subtitle: 's'.repeat(80),
            buttons: [postbackButton('A'), postbackButton('B'), postbackButton('C')],
          }),
        ),
      ),
      {
        attachment: {
          type: 'image',
          payload: { url: 'https://example.com/a.png', is_reusable: true },
        },
      },
    ];
    for (const message of ok) {
      const answer = await pageSend(message);
      expect(answer.text, answer.text).toMatch(/"recipient_id":"400000000000012","message_id":"m_/);
    }
    const typing = await pageSend(undefined, { sender_action: 'typing_on' });
    expect(typing.body).toEqual({ recipient_id: psid });
    expect(fake.sent({ channel: 'messenger' })).toHaveLength(ok.length);
  });

  it('accepts quick-reply titles over 20 characters, recording that Meta truncates them', async () => {
    const answer = await pageSend({
      text: 'x',
      quick_replies: quickReplies(1, 'A very long quick reply title'),
    });
    expect(answer.status).toBe(200);
    expect(fake.requests.at(-1)?.warnings).toEqual([
      'message[quick_replies][0][title] has more than 20 characters; Meta truncates it',
    ]);
  });

  it('also accepts form-encoded sends with JSON fields, as the Graph API does', async () => {
    const form = new URLSearchParams({
      recipient: JSON.stringify({ id: psid }),
      messaging_type: 'RESPONSE',
      message: JSON.stringify({ text: 'form' }),
      access_token: 'page-token',
    });
    const response = await fetch(`${fake.url}/v23.0/${pageId}/messages`, {
      method: 'POST',
      body: form,
    });
    expect(response.status).toBe(200);
  });
});

describe('Messenger window and tags', () => {
  it('knows no user who never wrote (100/2018001)', async () => {
    const answer = await graph(
      fake,
      'POST',
      '/me/messages',
      { recipient: { id: '999' }, messaging_type: 'RESPONSE', message: { text: 'hi' } },
      { token: 'page-token' },
    );
    expect(answer.body.error).toMatchObject({
      code: 100,
      error_subcode: 2018001,
      message: '(#100) No matching user found',
    });
  });

  it('closes the standard window after 24 h (10/2018278); HUMAN_AGENT reaches 7 days; other tags any time', async () => {
    await fake.messenger.userSends({ psid, text: 'hello' });
    clock += 24 * hour;
    expect((await pageSend({ text: 'in time' })).status).toBe(200);
    expect((await pageSend({ text: 'update' }, { messaging_type: 'UPDATE' })).status).toBe(200);
    clock += 1;
    const late = await pageSend({ text: 'late' });
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({
      code: 10,
      error_subcode: 2018278,
      type: 'OAuthException',
    });
    expect(late.body.error?.message).toContain(
      '(#10) This message is sent outside of allowed window.',
    );
    expect((await pageSend(undefined, { sender_action: 'typing_on' })).body.error?.code).toBe(10);
    const human = { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    expect((await pageSend({ text: 'agent here' }, human)).status).toBe(200);
    clock += 6 * 24 * hour - 1;
    expect((await pageSend({ text: 'still me' }, human)).status).toBe(200);
    clock += 2;
    expect((await pageSend({ text: 'too late' }, human)).body.error).toMatchObject({
      code: 10,
      error_subcode: 2018278,
    });
    const update = await pageSend(
      { text: 'your order shipped' },
      { messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' },
    );
    expect(update.status).toBe(200);
    await fake.messenger.userSends({ psid, postback: { title: 'Start', payload: 'START' } });
    expect((await pageSend({ text: 'reopened by a postback' })).status).toBe(200);
  });

  it('limits Send API calls per Page (613)', async () => {
    let now = 0;
    const limited = await createFakeGraphApi({
      appSecret: 's',
      accessToken: 't',
      now: () => now,
      messenger: { callsPerSecond: 2 },
    });
    try {
      limited.messenger.openWindow(psid);
      const send = () =>
        graph(limited, 'POST', `/${pageId}/messages`, {
          recipient: { id: psid },
          messaging_type: 'RESPONSE',
          message: { text: 'x' },
        });
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(200);
      expect((await send()).body.error?.code).toBe(613);
      now += 1000;
      expect((await send()).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('Instagram Send API', () => {
  it('limits text to 1000 UTF-8 bytes and uses its own window subcode (2534022)', async () => {
    expect((await igSend({ text: 'a'.repeat(1000) })).status).toBe(200);
    expect((await igSend({ text: 'é'.repeat(501) })).body.error).toMatchObject({
      code: 100,
      message: '(#100) Length of param message[text] must be less than or equal to 1000',
    });
    clock += 24 * hour + 1;
    expect((await igSend({ text: 'late' })).body.error).toMatchObject({
      code: 10,
      error_subcode: 2534022,
    });
    expect(
      (await igSend({ text: 'agent' }, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }))
        .status,
    ).toBe(200);
    const otherTag = await igSend(
      { text: 'x' },
      { messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' },
    );
    expect(otherTag.body.error?.message).toContain('Param tag must be one of {HUMAN_AGENT}');
    clock += 7 * 24 * hour;
    expect(
      (await igSend({ text: 'way late' }, { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }))
        .body.error?.code,
    ).toBe(10);
  });

  it('allows only web_url and postback buttons, and shares Messenger’s template limits', async () => {
    const phone = await igSend(
      buttonTemplate([{ type: 'phone_number', title: 'Call', payload: '+1555' }]),
    );
    expect(phone.body.error?.message).toContain('must be one of {WEB_URL, POSTBACK}');
    expect(
      (await igSend(buttonTemplate([1, 2, 3, 4].map((n) => postbackButton(`B${n}`))))).body.error
        ?.code,
    ).toBe(105);
    expect((await igSend({ text: 'x', quick_replies: quickReplies(14) })).body.error?.code).toBe(
      105,
    );
    expect((await igSend(genericTemplate([element()]))).status).toBe(200);
    expect(fake.sent({ channel: 'instagram' })[0]).toMatchObject({
      from: igId,
      to: igsid,
      type: 'attachment',
    });
  });

  it('routes /me/messages with a Page token to Instagram when the recipient is an IGSID of the linked account', async () => {
    const answer = await graph(
      fake,
      'POST',
      '/me/messages',
      { recipient: { id: igsid }, messaging_type: 'RESPONSE', message: { text: 'via page' } },
      { token: 'page-token' },
    );
    expect(answer.status).toBe(200);
    expect(fake.sent()).toEqual([
      expect.objectContaining({ channel: 'instagram', from: igId, to: igsid }),
    ]);
    expect(fake.requests.at(-1)?.channel).toBe('instagram');
  });
});

describe('credential checks', () => {
  it('answers GET /me for Page and Instagram tokens, and GET /{page-id}', async () => {
    expect((await graph(fake, 'GET', '/me', undefined, { token: 'page-token' })).body).toEqual({
      name: 'Test Page',
      id: pageId,
    });
    expect(
      (await graph(fake, 'GET', '/me?fields=user_id,username', undefined, { token: 'ig-token' }))
        .body,
    ).toEqual({ user_id: igId, username: 'shop', id: igId });
    expect((await graph(fake, 'GET', `/${pageId}?fields=name`)).body).toEqual({
      name: 'Test Page',
      id: pageId,
    });
    expect(
      (await graph(fake, 'GET', '/me', undefined, { token: 'expired' })).body.error?.code,
    ).toBe(190);
  });
});
