import { describe, expect, it } from 'vitest';
import { generateApiKey, keyPrefix } from '../../src/auth/keys.js';

describe('API key prefixes', () => {
  it('show the kind and 4 characters of the secret, even when the secret contains "_"', () => {
    expect(keyPrefix('od_admin_ClLsA84Ek776w22PkzCVALgZbCmJm5s_')).toBe('od_admin_ClLs');
    expect(keyPrefix('od_tenant_ab_cdefghijklmnopqrstuvwxyz012345')).toBe('od_tenant_ab_c');
    for (let i = 0; i < 500; i++) {
      const key = generateApiKey(i % 2 ? 'admin' : 'tenant');
      expect(keyPrefix(key).length).toBe(key.indexOf('_', 3) + 5);
    }
  });

  it('show at most a quarter, and never more than 4 characters, of an operator-chosen key', () => {
    expect(keyPrefix('my-operator-chosen-admin-key-0123456789')).toBe('my-o');
    expect(keyPrefix('short-key-of-24-chars-xx')).toBe('shor');
  });
});
