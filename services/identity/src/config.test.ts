import { ConfigError, loadConfig } from '@bazaar/platform';
import { describe, expect, it } from 'vitest';
import { IdentityConfig } from './config';

describe('IdentityConfig', () => {
  const load = (password: string) =>
    loadConfig('identity', IdentityConfig, {
      BAZAAR_ADMIN_EMAIL: 'admin@bazaar.test',
      BAZAAR_ADMIN_PASSWORD: password,
    });

  it("names an admin password that the accounts' own rule would refuse", () => {
    expect(() => load('short1')).toThrow(ConfigError);
    expect(() => load('longenoughpassword')).toThrow(/BAZAAR_ADMIN_PASSWORD: .*a letter and a digit/);
    expect(load('correct-horse-battery-9').BAZAAR_ADMIN_PASSWORD).toBe('correct-horse-battery-9');
  });
});
