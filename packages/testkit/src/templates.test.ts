import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createFakeGraphApi,
  createWebhookReceiver,
  type FakeGraphApi,
  type WebhookReceiver,
} from './index.js';
import { graph, sendWhatsApp, waMessage } from './test-helpers.js';

const waba = '100000000000001';
const user = '15555550101';
let fake: FakeGraphApi;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await createWebhookReceiver({ appSecret: 'test-secret', verifyToken: 'verify-me' });
  fake = await createFakeGraphApi({
    appSecret: 'test-secret',
    accessToken: 'test-token',
    webhookUrl: receiver.url,
  });
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});
beforeEach(() => {
  fake.reset();
  receiver.clear();
});

const orderUpdate = {
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#123'] } },
    {
      type: 'BODY',
      text: 'Hi {{1}}, your order {{2}} has shipped.',
      example: { body_text: [['Ana', '#123']] },
    },
    { type: 'FOOTER', text: 'Reply STOP to opt out' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Thanks' },
        {
          type: 'URL',
          text: 'Track',
          url: 'https://example.com/track/{{1}}',
          example: ['https://example.com/track/123'],
        },
      ],
    },
  ],
};

function templateSend(components: unknown[], name = 'order_update', code = 'en_US') {
  return waMessage('template', { name, language: { code }, components });
}

const fullComponents = [
  { type: 'header', parameters: [{ type: 'text', text: '#123' }] },
  {
    type: 'body',
    parameters: [
      { type: 'text', text: 'Ana' },
      { type: 'text', text: '#123' },
    ],
  },
  { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '123' }] },
];

describe('template lifecycle: create → PENDING → approve → sendable', () => {
  it('creates PENDING, refuses to send (132001), approves with a webhook, then sends', async () => {
    const created = await graph(fake, 'POST', `/${waba}/message_templates`, orderUpdate);
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^\d+$/),
      status: 'PENDING',
      category: 'UTILITY',
    });

    const pending = await sendWhatsApp(fake, templateSend(fullComponents));
    expect(pending.body.error).toMatchObject({
      code: 132001,
      message: '(#132001) Template name does not exist in the translation',
    });

    const [delivery] = await fake.templates.approve('order_update');
    expect(delivery?.status).toBe(200);
    const [webhook] = await receiver.waitFor(1);
    expect(webhook?.signatureValid).toBe(true);
    expect(webhook?.body).toMatchObject({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: waba,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'APPROVED',
                message_template_id: Number(created.body.id),
                message_template_name: 'order_update',
                message_template_language: 'en_US',
                reason: 'NONE',
                message_template_category: 'UTILITY',
              },
            },
          ],
        },
      ],
    });

    const sent = await sendWhatsApp(fake, templateSend(fullComponents));
    expect(sent.status).toBe(200);
    expect(fake.templates.get('order_update')?.status).toBe('APPROVED');
    expect((await graph(fake, 'GET', `/${created.body.id}?fields=status`)).body).toEqual({
      status: 'APPROVED',
      id: created.body.id,
    });
  });

  it('answers an unknown template or language with 132001', async () => {
    const unknown = await sendWhatsApp(fake, templateSend([], 'no_such_template'));
    expect(unknown.body.error?.code).toBe(132001);
    expect(unknown.body.error?.error_data?.details).toContain('no_such_template');
    const language = await sendWhatsApp(fake, templateSend([], 'hello_world', 'pt_BR'));
    expect(language.body.error?.code).toBe(132001);
    expect(language.body.error?.error_data?.details).toBe(
      'template name (hello_world) does not exist in pt_BR',
    );
  });

  it('checks parameters against the template: 132000, 131008, 132012, 100', async () => {
    fake.templates.add({ ...orderUpdate, category: 'UTILITY', language: 'en_US' } as Parameters<
      FakeGraphApi['templates']['add']
    >[0]);
    fake.whatsapp.openWindow(user);
    const body = fullComponents.filter((c) => c.type !== 'body');
    const missingBody = await sendWhatsApp(fake, templateSend(body));
    expect(missingBody.body.error).toMatchObject({
      code: 132000,
      message: '(#132000) Number of parameters does not match the expected number of params',
      error_data: {
        details:
          'body: number of localizable_params (0) does not match the expected number of params (2)',
      },
    });
    const extra = await sendWhatsApp(
      fake,
      templateSend([
        fullComponents[0],
        { type: 'body', parameters: [1, 2, 3].map((n) => ({ type: 'text', text: `p${n}` })) },
        fullComponents[2],
      ]),
    );
    expect(extra.body.error?.code).toBe(132000);
    const noHeader = await sendWhatsApp(fake, templateSend(fullComponents.slice(1)));
    expect(noHeader.body.error?.error_data?.details).toContain(
      'header: number of localizable_params (0)',
    );
    const noButton = await sendWhatsApp(fake, templateSend(fullComponents.slice(0, 2)));
    expect(noButton.body.error).toMatchObject({
      code: 131008,
      error_data: { details: 'buttons: Button at index 1 of type Url requires a parameter' },
    });
    const newline = await sendWhatsApp(
      fake,
      templateSend([
        fullComponents[0],
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'two\nlines' },
            { type: 'text', text: 'x' },
          ],
        },
        fullComponents[2],
      ]),
    );
    expect(newline.body.error).toMatchObject({
      code: 100,
      error_data: { details: expect.stringContaining('new-line/tab') },
    });

    fake.templates.add({
      name: 'with_image',
      components: [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'Look' },
      ],
    });
    const noImage = await sendWhatsApp(fake, templateSend([], 'with_image'));
    expect(noImage.body.error).toMatchObject({
      code: 132012,
      error_data: { details: 'header: Format mismatch, expected IMAGE, received UNKNOWN' },
    });
    const image = await sendWhatsApp(
      fake,
      templateSend(
        [
          {
            type: 'header',
            parameters: [{ type: 'image', image: { link: 'https://example.com/a.jpg' } }],
          },
        ],
        'with_image',
      ),
    );
    expect(image.status).toBe(200);
  });

  it('matches named parameters by name', async () => {
    const created = await graph(fake, 'POST', `/${waba}/message_templates`, {
      name: 'named_greeting',
      language: 'en_US',
      category: 'MARKETING',
      parameter_format: 'NAMED',
      components: [
        {
          type: 'BODY',
          text: 'Hi {{first_name}}',
          example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }] },
        },
      ],
    });
    expect(created.status).toBe(200);
    await fake.templates.approve('named_greeting');
    const wrong = await sendWhatsApp(
      fake,
      templateSend(
        [
          {
            type: 'body',
            parameters: [{ type: 'text', parameter_name: 'last_name', text: 'Ana' }],
          },
        ],
        'named_greeting',
      ),
    );
    expect(wrong.body.error?.code).toBe(132000);
    const right = await sendWhatsApp(
      fake,
      templateSend(
        [
          {
            type: 'body',
            parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ana' }],
          },
        ],
        'named_greeting',
      ),
    );
    expect(right.status).toBe(200);
  });

  it('rejects with a reason and webhook; paused and disabled templates get 132015 / 132016', async () => {
    fake.templates.add({ name: 'promo', status: 'PENDING', category: 'MARKETING' });
    await fake.templates.reject('promo', 'PROMOTIONAL', {
      rejectionInfo: { reason: 'Too salesy', recommendation: 'Tone it down' },
    });
    const [webhook] = await receiver.waitFor(1);
    type StatusBody = { entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }> };
    const change = (webhook?.body as StatusBody | undefined)?.entry[0]?.changes[0];
    expect(change?.value).toMatchObject({
      event: 'REJECTED',
      reason: 'PROMOTIONAL',
      rejection_info: { reason: 'Too salesy' },
    });
    expect(fake.templates.get('promo')).toMatchObject({
      status: 'REJECTED',
      rejectedReason: 'PROMOTIONAL',
    });
    const promo = [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }];
    expect((await sendWhatsApp(fake, templateSend(promo, 'promo'))).body.error?.code).toBe(132001);
    await fake.templates.setStatus('promo', 'PAUSED');
    expect((await sendWhatsApp(fake, templateSend(promo, 'promo'))).body.error?.code).toBe(132015);
    await fake.templates.setStatus('promo', 'DISABLED');
    expect((await sendWhatsApp(fake, templateSend(promo, 'promo'))).body.error?.code).toBe(132016);
  });

  it('auto-approves when asked, with a webhook', async () => {
    const auto = await createFakeGraphApi({
      appSecret: 'test-secret',
      accessToken: 't',
      webhookUrl: receiver.url,
      whatsapp: { autoApproveTemplates: true },
    });
    try {
      const created = await graph(auto, 'POST', `/${waba}/message_templates`, orderUpdate);
      expect(created.body.status).toBe('APPROVED');
      await auto.idle();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await auto.close();
    }
  });
});

describe('template creation is validated like Meta', () => {
  const cases: Array<[string, Record<string, unknown>, number, number | undefined]> = [
    ['uppercase name', { ...orderUpdate, name: 'Order_Update' }, 100, undefined],
    ['name with a dash', { ...orderUpdate, name: 'order-update' }, 100, undefined],
    ['name over 512', { ...orderUpdate, name: 'a'.repeat(513) }, 100, undefined],
    ['no name', { ...orderUpdate, name: undefined }, 100, undefined],
    ['bad category', { ...orderUpdate, category: 'SPAM' }, 100, undefined],
    ['no language', { ...orderUpdate, language: undefined }, 100, undefined],
    ['no components', { ...orderUpdate, components: [] }, 100, undefined],
    ['no body', { ...orderUpdate, components: [{ type: 'FOOTER', text: 'x' }] }, 100, undefined],
    [
      'body over 1024',
      { ...orderUpdate, components: [{ type: 'BODY', text: 'b'.repeat(1025) }] },
      100,
      undefined,
    ],
    [
      'header over 60',
      {
        ...orderUpdate,
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'h'.repeat(61) },
          { type: 'BODY', text: 'x' },
        ],
      },
      100,
      undefined,
    ],
    [
      'footer with a variable',
      {
        ...orderUpdate,
        components: [
          { type: 'BODY', text: 'x' },
          { type: 'FOOTER', text: '{{1}}' },
        ],
      },
      100,
      undefined,
    ],
    [
      'variables out of sequence',
      {
        ...orderUpdate,
        components: [{ type: 'BODY', text: 'Hi {{2}}', example: { body_text: [['a']] } }],
      },
      100,
      2388043,
    ],
    [
      'variables without example',
      { ...orderUpdate, components: [{ type: 'BODY', text: 'Hi {{1}}' }] },
      100,
      2388043,
    ],
    [
      '11 buttons',
      {
        ...orderUpdate,
        components: [
          { type: 'BODY', text: 'x' },
          {
            type: 'BUTTONS',
            buttons: Array.from({ length: 11 }, (_, i) => ({ type: 'QUICK_REPLY', text: `b${i}` })),
          },
        ],
      },
      100,
      undefined,
    ],
    [
      'button label over 25',
      {
        ...orderUpdate,
        components: [
          { type: 'BODY', text: 'x' },
          { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'q'.repeat(26) }] },
        ],
      },
      100,
      undefined,
    ],
  ];
  it.each(cases)('%s', async (_name, body, code, subcode) => {
    const answer = await graph(fake, 'POST', `/${waba}/message_templates`, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe(code);
    if (subcode !== undefined) expect(answer.body.error?.error_subcode).toBe(subcode);
    expect(fake.templates.list()).toHaveLength(1);
  });

  it('refuses a second template with the same name and language (2388024)', async () => {
    expect((await graph(fake, 'POST', `/${waba}/message_templates`, orderUpdate)).status).toBe(200);
    const again = await graph(fake, 'POST', `/${waba}/message_templates`, orderUpdate);
    expect(again.body.error).toMatchObject({ code: 100, error_subcode: 2388024 });
    expect(
      (
        await graph(fake, 'POST', `/${waba}/message_templates`, {
          ...orderUpdate,
          language: 'pt_BR',
        })
      ).status,
    ).toBe(200);
  });
});

describe('template listing, paging and deletion', () => {
  it('pages with limit/after and follows `next` to the end', async () => {
    for (let i = 0; i < 6; i++) fake.templates.add({ name: `t_${i}` });
    const first = await graph(fake, 'GET', `/${waba}/message_templates?limit=3`);
    const data = first.body.data as Array<{ name: string; id: string; status: string }>;
    expect(data.map((t) => t.name)).toEqual(['hello_world', 't_0', 't_1']);
    const paging = first.body.paging as {
      cursors: { before: string; after: string };
      next?: string;
      previous?: string;
    };
    expect(paging.cursors.before).toBeTypeOf('string');
    expect(paging.previous).toBeUndefined();
    const second = await graph(
      fake,
      'GET',
      `/${waba}/message_templates?limit=3&after=${paging.cursors.after}`,
    );
    expect((second.body.data as Array<{ name: string }>).map((t) => t.name)).toEqual([
      't_2',
      't_3',
      't_4',
    ]);
    const names: string[] = [];
    let next: string | undefined = `${fake.url}/v23.0/${waba}/message_templates?limit=3`;
    while (next !== undefined) {
      const page = await graph(fake, 'GET', next);
      names.push(...(page.body.data as Array<{ name: string }>).map((t) => t.name));
      next = (page.body.paging as { next?: string } | undefined)?.next;
    }
    expect(names).toHaveLength(7);
    const last = await graph(
      fake,
      'GET',
      `/${waba}/message_templates?limit=3&after=${(second.body.paging as { cursors: { after: string } }).cursors.after}`,
    );
    expect(last.body.paging).toMatchObject({ previous: expect.stringContaining('before=') });
    expect(last.body.paging).not.toHaveProperty('next');
  });

  it('filters by name and status, and selects fields', async () => {
    fake.templates.add({ name: 'alpha_one' });
    fake.templates.add({ name: 'alpha_two', status: 'PENDING' });
    const byName = await graph(
      fake,
      'GET',
      `/${waba}/message_templates?name=alpha&fields=name,status`,
    );
    expect(byName.body.data).toEqual([
      { name: 'alpha_one', status: 'APPROVED', id: expect.any(String) },
      { name: 'alpha_two', status: 'PENDING', id: expect.any(String) },
    ]);
    const pending = await graph(fake, 'GET', `/${waba}/message_templates?status=PENDING`);
    expect((pending.body.data as Array<{ name: string }>).map((t) => t.name)).toEqual([
      'alpha_two',
    ]);
  });

  it('deletes by name (every language), then sends fail with 132001', async () => {
    fake.templates.add({ name: 'bye', language: 'en_US' });
    fake.templates.add({ name: 'bye', language: 'pt_BR' });
    expect((await graph(fake, 'DELETE', `/${waba}/message_templates?name=bye`)).body).toEqual({
      success: true,
    });
    expect(fake.templates.list().map((t) => t.name)).toEqual(['hello_world']);
    const again = await graph(fake, 'DELETE', `/${waba}/message_templates?name=bye`);
    expect(again.body.error?.code).toBe(100);
    expect(
      (
        await sendWhatsApp(
          fake,
          templateSend([{ type: 'body', parameters: [{ type: 'text', text: 'x' }] }], 'bye'),
        )
      ).body.error?.code,
    ).toBe(132001);
  });
});

describe('subscribed_apps', () => {
  it('lists, unsubscribes and resubscribes a WABA; unsubscribed WABAs get no webhooks', async () => {
    const listed = await graph(fake, 'GET', `/${waba}/subscribed_apps`);
    expect(listed.body).toEqual({
      data: [
        {
          whatsapp_business_api_data: {
            link: expect.stringContaining('app_id='),
            name: 'Chatloom Test App',
            id: '1000000000000001',
          },
        },
      ],
    });
    expect((await graph(fake, 'DELETE', `/${waba}/subscribed_apps`)).body).toEqual({
      success: true,
    });
    expect((await graph(fake, 'GET', `/${waba}/subscribed_apps`)).body).toEqual({ data: [] });
    const quiet = await fake.whatsapp.userSends({ from: user, text: 'anyone there?' });
    expect(quiet.delivered).toBe(false);
    expect(quiet.error).toContain('not subscribed');
    expect(receiver.received).toHaveLength(0);
    expect((await graph(fake, 'POST', `/${waba}/subscribed_apps`)).body).toEqual({ success: true });
    expect((await fake.whatsapp.userSends({ from: user, text: 'hello?' })).status).toBe(200);
  });

  it('verifies an override callback with Meta’s handshake and delivers there', async () => {
    const override = await createWebhookReceiver({ verifyToken: 'override-token' });
    try {
      const refused = await graph(fake, 'POST', `/${waba}/subscribed_apps`, {
        override_callback_uri: override.url,
        verify_token: 'wrong-token',
      });
      expect(refused.body.error?.code).toBe(2200);
      const accepted = await graph(fake, 'POST', `/${waba}/subscribed_apps`, {
        override_callback_uri: override.url,
        verify_token: 'override-token',
      });
      expect(accepted.body).toEqual({ success: true });
      expect((await graph(fake, 'GET', `/${waba}/subscribed_apps`)).body.data).toEqual([
        expect.objectContaining({ override_callback_uri: override.url }),
      ]);
      await fake.whatsapp.userSends({ from: user, text: 'to the override' });
      expect(override.received).toHaveLength(1);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await override.close();
    }
  });

  it('subscribes Pages with subscribed_fields', async () => {
    const page = '300000000000011';
    expect((await graph(fake, 'POST', `/${page}/subscribed_apps`, {})).body.error?.code).toBe(100);
    expect(
      (await graph(fake, 'POST', `/${page}/subscribed_apps?subscribed_fields=messages`)).body,
    ).toEqual({ success: true });
    const listed = await graph(fake, 'GET', `/${page}/subscribed_apps`);
    expect(listed.body.data).toEqual([
      expect.objectContaining({ subscribed_fields: ['messages'] }),
    ]);
    const postback = await fake.messenger.userSends({
      psid: '400000000000012',
      postback: { payload: 'P', title: 'T' },
    });
    expect(postback.delivered).toBe(false);
    expect((await graph(fake, 'DELETE', `/${page}/subscribed_apps`)).body).toEqual({
      success: true,
    });
    expect((await graph(fake, 'GET', `/${page}/subscribed_apps`)).body).toEqual({ data: [] });
  });
});
