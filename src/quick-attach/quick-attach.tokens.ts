/** Injection tokens of Quick Attach, apart from the module so the service can import them without a cycle. */
export const QUICK_ATTACH_COMMANDS = Symbol('QUICK_ATTACH_COMMANDS');
export const ORGANISATION_COUNTIES = Symbol('ORGANISATION_COUNTIES');
