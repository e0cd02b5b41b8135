import { AppError } from '@bazaar/platform';
import { describe, expect, it } from 'vitest';
import { assertStrongPassword } from './password-policy';

describe('assertStrongPassword', () => {
  it('accepts a long password with letters and digits', () => {
    expect(() => assertStrongPassword('correct-horse-42', 'ana@example.com')).not.toThrow();
  });

  it.each([
    ['short1', 'at least 10 characters'],
    ['onlyletterslong', 'a letter and a digit'],
    ['12345678901', 'a letter and a digit'],
    ['ana-password-1', 'not the name part'],
  ])('refuses %s with a message naming the rule', (password, rule) => {
    try {
      assertStrongPassword(password, 'ana@example.com');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('identity.weak_password');
      expect((err as AppError).message).toContain(rule);
    }
  });
});
