import { invalid } from '@bazaar/platform';

/** Length matters most; a letter and a digit keep out the most common guesses. */
export function assertStrongPassword(password: string, email: string): void {
  const problems: string[] = [];
  if (password.length < 10) problems.push('at least 10 characters');
  if (password.length > 128) problems.push('at most 128 characters');
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) problems.push('a letter and a digit');
  if (password.toLowerCase().includes(email.split('@')[0]!.toLowerCase()) && email.split('@')[0]!.length >= 3)
    problems.push('not the name part of the email');
  if (problems.length > 0) {
    throw invalid('identity.weak_password', `The password is too weak: use ${problems.join(', ')}.`);
  }
}
