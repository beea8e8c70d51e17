/** Injection tokens of the identity context, apart from the module so services and module share them without a cycle. */
export const USER_COMMANDS = Symbol('USER_COMMANDS');
export const ORGANISATION_COMMANDS = Symbol('ORGANISATION_COMMANDS');
export const SESSION_STORE = Symbol('SESSION_STORE');
