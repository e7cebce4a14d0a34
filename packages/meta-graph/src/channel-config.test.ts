import { AdapterError, type ChannelConfig } from '@chatloom/core/adapter';
import { describe, expect, it } from 'vitest';
import {
  missingChannelValues,
  optionalCredential,
  optionalSetting,
  requireChannelValue,
} from './channel-config.js';

const channel: ChannelConfig = {
  id: 'ch_1',
  tenantId: 't',
  settings: { pageId: ' 300 \n', numeric: 42, blank: '  ', object: {} },
  credentials: { accessToken: 'token\n', empty: '' },
};

describe('reading ChannelConfig', () => {
  it('trims pasted values, takes numbers, treats blanks and other types as missing', () => {
    expect(optionalSetting(channel, 'pageId')).toBe('300');
    expect(optionalSetting(channel, 'numeric')).toBe('42');
    expect(optionalSetting(channel, 'blank')).toBeUndefined();
    expect(optionalSetting(channel, 'object')).toBeUndefined();
    expect(optionalCredential(channel, 'accessToken')).toBe('token');
    expect(optionalCredential(channel, 'empty')).toBeUndefined();
  });

  it('a required value that is missing is a permanent error naming channel, field and hint', () => {
    expect(requireChannelValue(channel, 'settings', 'pageId', 'Messenger')).toBe('300');
    try {
      requireChannelValue(
        channel,
        'credentials',
        'appSecret',
        'Messenger',
        'copy it from the App Dashboard',
      );
      throw new Error('expected a throw');
    } catch (error) {
      expect(AdapterError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ kind: 'permanent', code: 'missing-appSecret' });
      expect((error as Error).message).toBe(
        '[Messenger] channel "ch_1": credentials.appSecret is missing; copy it from the App Dashboard',
      );
    }
  });

  it('missingChannelValues lists what is not there', () => {
    expect(
      missingChannelValues(channel, {
        settings: ['pageId', 'blank'],
        credentials: ['accessToken', 'appSecret'],
      }),
    ).toEqual(['settings.blank', 'credentials.appSecret']);
  });
});
