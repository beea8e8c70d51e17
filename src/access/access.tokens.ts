/** Injection token of the access log, apart from the module so resolvers can import it without a cycle. */
export const ACCESS_LOG = Symbol('ACCESS_LOG');
