import { ARGON2ID_OPTIONS, hashPassword, verifyPassword } from './password-hasher';

// Real argon2id on the local CPU: about 20-40 ms a hash with the OWASP parameters.
describe('password hashing', () => {
  it('produces an argon2id PHC string with the OWASP parameters, which verifies the password and no other', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ARGON2ID_OPTIONS).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    await expect(verifyPassword(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(verifyPassword(hash, 'correct horse battery stapler')).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it('verifies the same password typed in another Unicode form (NFKC)', async () => {
    const composed = 'p\u00e4ssw\u00f6rd';
    const decomposed = 'pa\u0308ssw\u00f6rd';
    await expect(verifyPassword(await hashPassword(composed), decomposed)).resolves.toBe(true);
  });
});
