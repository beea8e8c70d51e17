import { ValidationError } from '../shared/domain-error';
import { invalid } from './identity.fixtures.spec';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, validatePassword } from './password-policy';

const rejects = (password: string, userId?: string) => {
  try {
    validatePassword(password, userId);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error;
  }
  throw new Error('expected a ValidationError');
};

describe('validatePassword', () => {
  it('has the CJIS minimum of 8 characters and an upper bound for argon2', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
  });

  it.each(['8chars!!', 'correct horse battery staple', 'x'.repeat(128), 'pässwörd', '🔑🔑🔑🔑🔑🔑🔑🔑'])('accepts %j', (password) => {
    expect(() => validatePassword(password, 'clerk.one')).not.toThrow();
  });

  it('refuses 7 characters', () => {
    expect(rejects('7chars!')).toMatchObject(invalid(['password', 'min_length']));
  });

  it('counts characters, not UTF-16 units: 4 emoji are 4 characters', () => {
    expect(rejects('🔑🔑🔑🔑')).toMatchObject(invalid(['password', 'min_length']));
  });

  it('counts the NFKC form the hasher uses: a ligature is two letters', () => {
    expect(() => validatePassword('ﬁﬁﬁﬁ')).not.toThrow();
  });

  it('refuses more than 128 characters', () => {
    expect(rejects('x'.repeat(129))).toMatchObject(invalid(['password', 'max_length']));
  });

  it('refuses the user id as password, whatever its case', () => {
    expect(rejects('Clerk.Ones', 'clerk.ones')).toMatchObject(invalid(['password', 'same_as_user_id']));
  });

  it('reports every rule broken', () => {
    expect(rejects('bob', 'bob')).toMatchObject(invalid(['password', 'min_length'], ['password', 'same_as_user_id']));
  });
});
