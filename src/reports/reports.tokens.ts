/** Injection token of the report snapshots, apart from the module so services can import it without a cycle. */
export const REPORT_SNAPSHOTS = Symbol('REPORT_SNAPSHOTS');
