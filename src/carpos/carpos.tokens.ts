export const CARPOS_QUEUE = Symbol('CARPOS_QUEUE');
