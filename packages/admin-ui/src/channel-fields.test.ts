import { describe, expect, test } from 'vitest';
import type { Channel } from './api.js';
import { initialForm, patchFor, patchValidates, platformInfo } from './channel-fields.js';

const channel = (overrides: Partial<Channel> = {}): Channel => ({
  id: 'c1',
  platform: 'whatsapp',
  name: 'Support',
  settings: { phoneNumberId: '200', wabaId: '100' },
  status: 'pending',
  statusDetail: null,
  subscribed: false,
  callbackUrl: 'http://localhost/webhooks/whatsapp/c1',
  verifyToken: 'vt-1',
  credentialsSet: ['accessToken'],
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

describe('channel fields', () => {
  test('each platform shows the fields its adapter reads', () => {
    const keys = (platform: string) => platformInfo(platform).fields.map((f) => f.key);
    expect(keys('whatsapp')).toEqual([
      'phoneNumberId',
      'wabaId',
      'appId',
      'appSecret',
      'accessToken',
    ]);
    expect(keys('messenger')).toEqual(['pageId', 'appSecret', 'accessToken']);
    expect(keys('instagram')).toContain('instagramAccountId');
    expect(keys('simulator')).toEqual([]);
    expect(platformInfo('simulator').webhooks).toBe(false);
  });

  test('the form starts from the settings; secrets start empty', () => {
    const form = initialForm(channel());
    expect(form).toMatchObject({ name: 'Support', phoneNumberId: '200', wabaId: '100', appId: '' });
    expect(form.accessToken).toBe('');
    expect(form.verifyToken).toBe('vt-1');
  });

  test('an unchanged form patches nothing; the server is asked to validate', () => {
    const patch = patchFor(channel(), initialForm(channel()));
    expect(patch).toEqual({});
    expect(patchValidates(patch)).toBe(false);
  });

  test('only what changed is sent; empty secrets and an emptied verify token keep their values', () => {
    const form = {
      ...initialForm(channel()),
      name: ' Sales ',
      wabaId: '101',
      accessToken: ' EAAG ',
      verifyToken: '',
    };
    const patch = patchFor(channel(), form);
    expect(patch).toEqual({
      name: 'Sales',
      settings: { wabaId: '101' },
      credentials: { accessToken: 'EAAG' },
    });
    expect(patchValidates(patch)).toBe(true);
    expect(patchFor(channel(), { ...initialForm(channel()), verifyToken: 'new' })).toEqual({
      credentials: { verifyToken: 'new' },
    });
  });
});
