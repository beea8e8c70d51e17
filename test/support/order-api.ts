import { randomUUID } from 'node:crypto';
import type { OrderData } from '../../src/orders/order-data';
import { Api, GraphqlBody } from './api';

/** GraphQL documents and calls the order suites share: what a court system's client would send. */

export const ORDER_FIELDS = `
  orderId revision status sealed
  data { caseNumber orderType court { county ori } issuedDate expirationDate judge
         restrainedPerson { lastName firstName dateOfBirth sex race aliases }
         protectedPersons { lastName firstName } conditions { code text } }
  services { servedAt method servedBy agency }
  images { sha256 contentType sizeBytes }
  lock { holder organisation expiresAt }
  carpos { submitted fcn lastAnswer { tcn } }
  cancellation { reason reasonText }
  clonedFrom created { userId organisation } updated { userId at }
`;

/** Selects an OrderView: the full order or the sealed-order notice. */
export const ORDER_VIEW_FIELDS = `
  ... on Order {
    ${ORDER_FIELDS}
  }
  ... on SealedOrderNotice { orderId caseNumber court { ori } orderType status sealed }
`;

const RESULT = `orderId revision position replayed order { __typename ${ORDER_VIEW_FIELDS} }`;

export const MUTATIONS = {
  draft: `mutation ($key: String!, $data: OrderDataInput!) { r: draftOrder(idempotencyKey: $key, data: $data) { ${RESULT} } }`,
  add: `mutation ($key: String!, $data: OrderDataInput!, $orderId: ID, $carpos: Boolean!, $rev: Int) {
    r: addOrder(idempotencyKey: $key, orderId: $orderId, data: $data, submitToCarpos: $carpos, expectedRevision: $rev) { ${RESULT} } }`,
  modify: `mutation ($key: String!, $orderId: ID!, $patch: OrderDataInput!, $rev: Int) {
    r: modifyOrder(idempotencyKey: $key, orderId: $orderId, patch: $patch, expectedRevision: $rev) { ${RESULT} } }`,
  clone: `mutation ($key: String!, $source: ID!, $overrides: OrderDataInput) {
    r: cloneOrder(idempotencyKey: $key, sourceOrderId: $source, overrides: $overrides, submitToCarpos: false) { ${RESULT} } }`,
  serve: `mutation ($key: String!, $orderId: ID!, $service: ServiceInput!) { r: serveOrder(idempotencyKey: $key, orderId: $orderId, service: $service) { ${RESULT} } }`,
  cancel: `mutation ($key: String!, $orderId: ID!, $reason: String!, $text: String) {
    r: cancelOrder(idempotencyKey: $key, orderId: $orderId, reason: $reason, reasonText: $text) { ${RESULT} } }`,
  seal: `mutation ($key: String!, $orderId: ID!) { r: sealOrder(idempotencyKey: $key, orderId: $orderId) { ${RESULT} } }`,
  unseal: `mutation ($key: String!, $orderId: ID!) { r: unsealOrder(idempotencyKey: $key, orderId: $orderId) { ${RESULT} } }`,
  lock: `mutation ($key: String!, $orderId: ID!, $minutes: Int) { r: lockOrder(idempotencyKey: $key, orderId: $orderId, durationMinutes: $minutes) { ${RESULT} } }`,
  unlock: `mutation ($key: String!, $orderId: ID!) { r: unlockOrder(idempotencyKey: $key, orderId: $orderId) { ${RESULT} } }`,
  attach: `mutation ($key: String!, $orderId: ID!, $imageId: String!, $fileName: String) {
    r: attachImage(idempotencyKey: $key, orderId: $orderId, imageId: $imageId, fileName: $fileName) { ${RESULT} } }`,
};

export const QUERIES = {
  order: `query ($id: ID!, $wait: String) { order(id: $id, waitForPosition: $wait) { __typename ${ORDER_VIEW_FIELDS} } }`,
  search: `query ($criteria: OrderSearchCriteria!, $page: Int, $wait: String) {
    searchOrders(criteria: $criteria, page: $page, waitForPosition: $wait) {
      totalCount totalCountIsExact page pageCount next last
      items { orderId caseNumber courtOri county orderType status sealed issuedDate expirationDate
              restrainedPerson { lastName firstName dateOfBirth } } } }`,
  history: `query ($id: ID!, $wait: String) { orderHistory(id: $id, waitForPosition: $wait) {
    position revision type actor { userId organisation role } occurredAt recordedAt commandId correlationId
    changes { field before after } data } }`,
  asOf: `query ($id: ID!, $revision: Int, $at: String, $wait: String) {
    orderAsOf(id: $id, revision: $revision, at: $at, waitForPosition: $wait) { ${ORDER_FIELDS} } }`,
  locked: `query ($wait: String) { lockedOrders(waitForPosition: $wait) { orderId caseNumber courtOri sealed lockedBy lockedByOrganisation lockedAt expiresAt } }`,
};

export interface MutationResult {
  orderId: string;
  revision: number;
  position: string;
  replayed: boolean;
  order: Record<string, any> | null;
}

/** A mutation's result, failing the test with the errors when it was refused. */
export function resultOf(body: GraphqlBody): MutationResult {
  if (body.errors) throw new Error(`refused: ${JSON.stringify(body.errors)}`);
  return body.data!.r as MutationResult;
}

export async function mutate(api: Api, token: string, name: keyof typeof MUTATIONS, variables: Record<string, unknown>): Promise<GraphqlBody> {
  return api.post(MUTATIONS[name], { key: randomUUID(), ...variables }, token);
}

/** A complete order of `court` with names the test chooses, so searches can find exactly it. */
export function orderData(court: { county: string; ori: string }, overrides: Partial<OrderData> = {}): OrderData {
  return {
    caseNumber: `FL-${randomUUID().slice(0, 8)}`,
    court,
    orderType: 'DV-110',
    issuedDate: '2026-02-20',
    expirationDate: '2029-02-20',
    judge: 'Hon. A. Smith',
    restrainedPerson: { lastName: 'Mouse', firstName: 'Mickey', dateOfBirth: '1988-11-18', sex: 'M', race: 'W', aliases: [] },
    protectedPersons: [{ lastName: 'Mouse', firstName: 'Minnie', dateOfBirth: '1990-01-01', sex: 'F', race: 'W' }],
    conditions: [{ code: '01' }],
    ...overrides,
  };
}

/** Adds an order as `token`'s user and returns the mutation result. */
export async function addOrder(api: Api, token: string, data: OrderData, carpos = false): Promise<MutationResult> {
  return resultOf(await mutate(api, token, 'add', { data, carpos }));
}
