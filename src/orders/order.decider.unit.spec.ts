import { fold } from '../../test/support/given-when-then';
import { ForbiddenError, InvalidStateError, LockedError, NotFoundError, ValidationError } from '../shared/domain-error';
import { OrderData } from './order-data';
import { CarposAnswer, OrderEvent } from './order.events';
import { orderDecider, orderStream } from './order.decider';
import { actors, command, COURT_ORI, draftData, ev, fullOrderData, given, NOW, ORDER_ID, OTHER_COURT_ORI } from './order.fixtures.spec';

const SOURCE_ID = '9a1c2b3d-0000-4000-8000-000000000001';
const LATER = '2025-03-01T11:00:00.000Z';
const IMAGE = { sha256: 'a'.repeat(64), contentType: 'application/pdf' as const, sizeBytes: 2048, pageCount: 3 };

/** Expects a ValidationError carrying exactly these [field, rule] violations. */
const invalid = (...pairs: Array<[string, string]>) => ({
  violations: pairs.map(([field, rule]) => expect.objectContaining({ field, rule })),
});
const stateRule = (rule: string) => ({ rule });

describe('orderStream', () => {
  it('names the stream order-<id>', () => {
    expect(orderStream(ORDER_ID)).toBe(`order-${ORDER_ID}`);
  });
});

describe('DraftOrder', () => {
  it('drafts an order from a court and an order type alone', () => {
    given([])
      .when(command('DraftOrder', { data: draftData() }))
      .then([{ type: 'OrderDrafted', data: { orderId: ORDER_ID, data: { ...draftData(), conditions: [] } } }]);
  });

  it('rejects a draft without court and order type', () => {
    given([])
      .when(command('DraftOrder', { data: {} }))
      .thenThrows(ValidationError, invalid(['court', 'required'], ['orderType', 'required']));
  });

  it('refuses to draft onto an existing order', () => {
    given([ev.added()]).when(command('DraftOrder', { data: draftData() })).thenThrows(InvalidStateError, stateRule('order.already_exists'));
  });
});

describe('AddOrder', () => {
  it('adds a complete order from nothing', () => {
    given([])
      .when(command('AddOrder', { data: fullOrderData(), submitToCarpos: false }))
      .then([{ type: 'OrderAdded', data: { orderId: ORDER_ID, data: fullOrderData(), submitToCarpos: false, fromDraft: false } }]);
  });

  it('completes a draft with the draft data merged under the command data', () => {
    const { caseNumber: _, ...withoutCaseNumber } = fullOrderData();
    given([ev.drafted({ ...draftData(), caseNumber: 'FROM-DRAFT' })])
      .when(command('AddOrder', { data: { ...withoutCaseNumber, court: undefined }, submitToCarpos: true }))
      .then([
        {
          type: 'OrderAdded',
          data: { orderId: ORDER_ID, data: { ...fullOrderData(), caseNumber: 'FROM-DRAFT' }, submitToCarpos: true, fromDraft: true },
        },
      ]);
  });

  it('rejects an incomplete order, listing every missing field', () => {
    given([])
      .when(command('AddOrder', { data: draftData(), submitToCarpos: false }))
      .thenThrows(
        ValidationError,
        invalid(['caseNumber', 'required'], ['issuedDate', 'required'], ['restrainedPerson', 'required'], ['protectedPersons', 'required']),
      );
  });

  it('rejects completing a draft whose merged data is still incomplete', () => {
    given([ev.drafted()])
      .when(command('AddOrder', { data: { caseNumber: 'X-1' }, submitToCarpos: false }))
      .thenThrows(ValidationError, invalid(['issuedDate', 'required'], ['restrainedPerson', 'required'], ['protectedPersons', 'required']));
  });

  it('applies the CARPOS rules when the order goes to CARPOS', () => {
    const data = fullOrderData();
    const { sex: _, ...restrainedPerson } = data.restrainedPerson;
    given([])
      .when(command('AddOrder', { data: { ...data, restrainedPerson }, submitToCarpos: true }))
      .thenThrows(ValidationError, invalid(['restrainedPerson.sex', 'required']));
  });

  it('accepts the same order without sex when it does not go to CARPOS', () => {
    const data = fullOrderData();
    const { sex: _, ...restrainedPerson } = data.restrainedPerson;
    given([])
      .when(command('AddOrder', { data: { ...data, restrainedPerson }, submitToCarpos: false }))
      .then([{ type: 'OrderAdded', data: { orderId: ORDER_ID, data: { ...data, restrainedPerson }, submitToCarpos: false, fromDraft: false } }]);
  });

  it.each([[[ev.added()]], [[ev.added(), ev.cancelled()]]])('refuses to add an order that already exists', (history) => {
    given(history)
      .when(command('AddOrder', { data: fullOrderData(), submitToCarpos: false }))
      .thenThrows(InvalidStateError, stateRule('order.already_exists'));
  });

  it('refuses to complete a draft locked by another user', () => {
    given([ev.drafted(), ev.lockedBy(actors.otherClerk)])
      .when(command('AddOrder', { data: fullOrderData(), submitToCarpos: false }))
      .thenThrows(LockedError, { holderUserId: actors.otherClerk.userId });
  });

  it('refuses to complete a sealed draft without the sealed-update role of its court', () => {
    given([ev.drafted(), ev.sealed()])
      .when(command('AddOrder', { data: fullOrderData(), submitToCarpos: false }))
      .thenThrows(ForbiddenError, stateRule('order.sealed.originating_court_sealed_update_required'));
  });
});

describe('ModifyOrder', () => {
  it('records each changed leaf with before and after, and the whole data after the change', () => {
    const after: OrderData = { ...fullOrderData(), restrainedPerson: { ...fullOrderData().restrainedPerson, sex: 'U', height: 71 } };
    given([ev.added()])
      .when(command('ModifyOrder', { patch: { restrainedPerson: { sex: 'U', height: 71 } } }))
      .then([
        {
          type: 'OrderModified',
          data: {
            changes: [
              { field: 'restrainedPerson.sex', before: 'M', after: 'U' },
              { field: 'restrainedPerson.height', before: 70, after: 71 },
            ],
            data: after,
          },
        },
      ]);
  });

  it('lists a cleared field with after null', () => {
    const [event] = orderDecider.decide(command('ModifyOrder', { patch: { judge: null } }), fold(orderDecider, [ev.added()]));
    expect(event).toMatchObject({ type: 'OrderModified', data: { changes: [{ field: 'judge', before: 'Hon. A. Smith', after: null }] } });
  });

  it('lets a draft stay incomplete', () => {
    given([ev.drafted()])
      .when(command('ModifyOrder', { patch: { caseNumber: 'X-1' } }))
      .then([
        {
          type: 'OrderModified',
          data: { changes: [{ field: 'caseNumber', before: null, after: 'X-1' }], data: { ...draftData(), caseNumber: 'X-1', conditions: [] } },
        },
      ]);
  });

  it('still checks the form of what a draft is given', () => {
    given([ev.drafted()])
      .when(command('ModifyOrder', { patch: { issuedDate: '2025-02-30' } }))
      .thenThrows(ValidationError, invalid(['issuedDate', 'date_format']));
  });

  it('keeps an active order fully valid', () => {
    given([ev.added()])
      .when(command('ModifyOrder', { patch: { caseNumber: null, expirationDate: '2025-01-01' } }))
      .thenThrows(ValidationError, invalid(['caseNumber', 'required'], ['expirationDate', 'expiration_before_issue']));
  });

  it('keeps an order sent to CARPOS acceptable to DOJ', () => {
    given([ev.added(fullOrderData(), true)])
      .when(command('ModifyOrder', { patch: { restrainedPerson: { race: null } } }))
      .thenThrows(ValidationError, invalid(['restrainedPerson.race', 'required']));
  });

  it('rejects a patch that changes nothing', () => {
    given([ev.added()])
      .when(command('ModifyOrder', { patch: { caseNumber: ` ${fullOrderData().caseNumber} ` } }))
      .thenThrows(ValidationError, invalid(['patch', 'no_changes']));
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('ModifyOrder', { patch: { judge: 'X' } })).thenThrows(NotFoundError, { what: 'order', id: ORDER_ID });
  });

  it.each([
    ['CANCELLED', [ev.added(), ev.cancelled()]],
    ['EXPIRED', [ev.added(), ev.expired()]],
  ])('refuses to modify a %s order, naming its status', (status, history) => {
    const error = given(history)
      .when(command('ModifyOrder', { patch: { judge: 'X' } }))
      .thenThrows(InvalidStateError, stateRule('order.status.draft_or_active_required'));
    expect(error.message).toContain(status);
  });

  it('refuses while another user holds an unexpired lock', () => {
    given([ev.added(), ev.lockedBy(actors.otherClerk)])
      .when(command('ModifyOrder', { patch: { judge: 'X' } }))
      .thenThrows(LockedError, { holderUserId: actors.otherClerk.userId, expiresAt: '2025-03-01T10:30:00.000Z' });
  });

  it('lets the lock holder modify', () => {
    given([ev.added(), ev.lockedBy(actors.clerk)])
      .when(command('ModifyOrder', { patch: { judge: 'X' } }))
      .then([{ type: 'OrderModified', data: { changes: [{ field: 'judge', before: 'Hon. A. Smith', after: 'X' }], data: { ...fullOrderData(), judge: 'X' } } }]);
  });

  it('ignores another user’s lock once it has expired', () => {
    const [event] = orderDecider.decide(
      command('ModifyOrder', { patch: { judge: 'X' }, now: LATER }),
      fold(orderDecider, [ev.added(), ev.lockedBy(actors.otherClerk)]),
    );
    expect(event.type).toBe('OrderModified');
  });

  it.each([
    ['a user without a sealed role', actors.clerk],
    ['a sealed-update user of another court', actors.otherCourtSealedClerk],
  ])('forbids %s to change a sealed order', (_, actor) => {
    given([ev.added(), ev.sealed()])
      .when(command('ModifyOrder', { patch: { judge: 'X' }, actor }))
      .thenThrows(ForbiddenError, stateRule('order.sealed.originating_court_sealed_update_required'));
  });

  it('lets a sealed-update user of the originating court change a sealed order', () => {
    const [event] = orderDecider.decide(
      command('ModifyOrder', { patch: { judge: 'X' }, actor: actors.sealedClerk }),
      fold(orderDecider, [ev.added(), ev.sealed()]),
    );
    expect(event.type).toBe('OrderModified');
  });
});

describe('CloneOrder', () => {
  const cloneOf = (status: 'NONE' | 'DRAFT' | 'ACTIVE' | 'CANCELLED' | 'EXPIRED', extra: object = {}) =>
    command('CloneOrder', { source: { orderId: SOURCE_ID, status, data: fullOrderData() }, submitToCarpos: false, ...extra });

  it.each(['ACTIVE', 'CANCELLED', 'EXPIRED'] as const)('clones a %s order onto the new stream with the overrides applied', (status) => {
    given([])
      .when(cloneOf(status, { overrides: { caseNumber: 'FL-2025-999', orderType: 'DV-130' } }))
      .then([
        {
          type: 'OrderCloned',
          data: {
            orderId: ORDER_ID,
            clonedFrom: SOURCE_ID,
            data: { ...fullOrderData(), caseNumber: 'FL-2025-999', orderType: 'DV-130' },
            submitToCarpos: false,
          },
        },
      ]);
  });

  it('refuses to clone a draft', () => {
    given([]).when(cloneOf('DRAFT')).thenThrows(InvalidStateError, stateRule('order.clone.source_is_draft'));
  });

  it('answers not found for an unknown source', () => {
    given([]).when(cloneOf('NONE')).thenThrows(NotFoundError, { id: SOURCE_ID });
  });

  it('refuses a target stream that already holds an order', () => {
    given([ev.drafted()]).when(cloneOf('ACTIVE')).thenThrows(InvalidStateError, stateRule('order.already_exists'));
  });

  it('validates the clone as a complete order', () => {
    given([])
      .when(cloneOf('ACTIVE', { overrides: { protectedPersons: [] } }))
      .thenThrows(ValidationError, invalid(['protectedPersons', 'min_items']));
  });

  it('applies the CARPOS rules when the clone goes to CARPOS', () => {
    given([])
      .when(cloneOf('ACTIVE', { overrides: { restrainedPerson: { dateOfBirth: null } }, submitToCarpos: true }))
      .thenThrows(ValidationError, invalid(['restrainedPerson.dateOfBirth', 'dob_or_age_required']));
  });
});

describe('ServeOrder', () => {
  const service = { servedAt: '2025-03-01T01:30:00-08:00', method: 'PERSONAL' as const, servedBy: 'Deputy Jones', agency: 'Fresno SO' };

  it('records service with the time normalised to UTC', () => {
    given([ev.added()])
      .when(command('ServeOrder', service))
      .then([{ type: 'OrderServed', data: { ...service, servedAt: '2025-03-01T09:30:00.000Z' } }]);
  });

  it('records a second service of the same order', () => {
    const first: OrderEvent = { type: 'OrderServed', data: { ...service, servedAt: '2025-02-28T09:00:00.000Z' } };
    const state = fold(orderDecider, [ev.added(), first, ...orderDecider.decide(command('ServeOrder', service), fold(orderDecider, [ev.added(), first]))]);
    expect(state.services.map((s) => s.servedAt)).toEqual(['2025-02-28T09:00:00.000Z', '2025-03-01T09:30:00.000Z']);
  });

  it('is not blocked by another user’s edit lock', () => {
    given([ev.added(), ev.lockedBy(actors.otherClerk)])
      .when(command('ServeOrder', service))
      .then([{ type: 'OrderServed', data: { ...service, servedAt: '2025-03-01T09:30:00.000Z' } }]);
  });

  it('refuses to serve a draft', () => {
    given([ev.drafted()]).when(command('ServeOrder', service)).thenThrows(InvalidStateError, stateRule('order.status.active_required'));
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('ServeOrder', service)).thenThrows(NotFoundError, { id: ORDER_ID });
  });

  it('forbids serving a sealed order without the sealed-update role of its court', () => {
    given([ev.added(), ev.sealed()])
      .when(command('ServeOrder', service))
      .thenThrows(ForbiddenError, stateRule('order.sealed.originating_court_sealed_update_required'));
  });

  it('rejects service in the future, an unknown method and missing server, all at once', () => {
    given([ev.added()])
      .when(command('ServeOrder', { ...service, servedAt: '2025-03-02T00:00:00Z', method: 'PIGEON' as never, servedBy: ' ' }))
      .thenThrows(ValidationError, invalid(['method', 'enum'], ['servedBy', 'required'], ['servedAt', 'not_in_future']));
  });

  it('rejects a service time without a time zone', () => {
    given([ev.added()])
      .when(command('ServeOrder', { ...service, servedAt: '2025-03-01 09:30' }))
      .thenThrows(ValidationError, invalid(['servedAt', 'instant_format']));
  });

  it('requires notes when the method is OTHER', () => {
    given([ev.added()])
      .when(command('ServeOrder', { ...service, method: 'OTHER' }))
      .thenThrows(ValidationError, invalid(['notes', 'required_for_other']));
  });
});

describe('CancelOrder', () => {
  it.each([
    ['an active order', [ev.added()]],
    ['a draft', [ev.drafted()]],
  ])('cancels %s', (_, history) => {
    given(history)
      .when(command('CancelOrder', { reason: 'TERMINATED_BY_COURT' }))
      .then([{ type: 'OrderCancelled', data: { reason: 'TERMINATED_BY_COURT' } }]);
  });

  it('keeps the explanation of an OTHER reason', () => {
    given([ev.added()])
      .when(command('CancelOrder', { reason: 'OTHER', reasonText: 'Vacated on appeal' }))
      .then([{ type: 'OrderCancelled', data: { reason: 'OTHER', reasonText: 'Vacated on appeal' } }]);
  });

  it('requires an explanation for reason OTHER', () => {
    given([ev.added()]).when(command('CancelOrder', { reason: 'OTHER' })).thenThrows(ValidationError, invalid(['reasonText', 'required_for_other']));
  });

  it('rejects an unknown reason', () => {
    given([ev.added()]).when(command('CancelOrder', { reason: 'BORED' as never })).thenThrows(ValidationError, invalid(['reason', 'enum']));
  });

  it('refuses to cancel a cancelled order', () => {
    given([ev.added(), ev.cancelled()])
      .when(command('CancelOrder', { reason: 'SUPERSEDED' }))
      .thenThrows(InvalidStateError, stateRule('order.status.draft_or_active_required'));
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('CancelOrder', { reason: 'SUPERSEDED' })).thenThrows(NotFoundError, { id: ORDER_ID });
  });

  it('refuses while another user holds the lock', () => {
    given([ev.added(), ev.lockedBy(actors.otherClerk)]).when(command('CancelOrder', { reason: 'SUPERSEDED' })).thenThrows(LockedError);
  });

  it('forbids cancelling a sealed order without the sealed-update role of its court', () => {
    given([ev.added(), ev.sealed()])
      .when(command('CancelOrder', { reason: 'SUPERSEDED' }))
      .thenThrows(ForbiddenError, stateRule('order.sealed.originating_court_sealed_update_required'));
  });
});

describe('SealOrder and UnsealOrder', () => {
  const as = (actor = actors.sealedClerk) => ({ actor });

  it('lets a sealed-update user of the originating court seal', () => {
    given([ev.added()]).when(command('SealOrder', as())).then([{ type: 'OrderSealed', data: {} }]);
  });

  it('lets a sealed-update user of the originating court unseal', () => {
    given([ev.added(), ev.sealed()]).when(command('UnsealOrder', as())).then([{ type: 'OrderUnsealed', data: {} }]);
  });

  it('seals a cancelled order too', () => {
    given([ev.added(), ev.cancelled()]).when(command('SealOrder', as())).then([{ type: 'OrderSealed', data: {} }]);
  });

  it.each([
    ['SealOrder', [ev.added()], actors.clerk],
    ['SealOrder', [ev.added()], actors.otherCourtSealedClerk],
    ['UnsealOrder', [ev.added(), ev.sealed()], actors.admin],
    ['UnsealOrder', [ev.added(), ev.sealed()], actors.otherCourtSealedClerk],
  ] as const)('forbids %s to anyone but the originating court’s sealed-update users', (type, history, actor) => {
    given([...history])
      .when(command(type, as(actor)))
      .thenThrows(ForbiddenError, stateRule('order.sealed.originating_court_sealed_update_required'));
  });

  it('refuses to seal an already sealed order', () => {
    given([ev.added(), ev.sealed()]).when(command('SealOrder', as())).thenThrows(InvalidStateError, stateRule('order.already_sealed'));
  });

  it('refuses to unseal an order that is not sealed', () => {
    given([ev.added()]).when(command('UnsealOrder', as())).thenThrows(InvalidStateError, stateRule('order.not_sealed'));
  });

  it('refuses while another user holds the lock', () => {
    given([ev.added(), ev.lockedBy(actors.otherClerk)]).when(command('SealOrder', as())).thenThrows(LockedError);
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('SealOrder', as())).thenThrows(NotFoundError);
  });

  it('follows the order when its court is changed', () => {
    const moved = { ...fullOrderData(), court: { county: 'Kern', ori: OTHER_COURT_ORI } };
    given([ev.added(moved)]).when(command('SealOrder', as(actors.otherCourtSealedClerk))).then([{ type: 'OrderSealed', data: {} }]);
  });
});

describe('LockOrder', () => {
  const lockedEvent = (expiresAt: string, now = NOW) => ({
    type: 'OrderLocked' as const,
    data: { lockedBy: actors.clerk.userId, lockedByOrganisation: COURT_ORI, lockedAt: now, expiresAt },
  });

  it('locks for 30 minutes by default', () => {
    given([ev.added()]).when(command('LockOrder', {})).then([lockedEvent('2025-03-01T10:30:00.000Z')]);
  });

  it('locks for the requested duration', () => {
    given([ev.drafted()]).when(command('LockOrder', { durationMinutes: 480 })).then([lockedEvent('2025-03-01T18:00:00.000Z')]);
  });

  it('extends the lock when its holder locks again', () => {
    given([ev.added(), ev.lockedBy(actors.clerk)])
      .when(command('LockOrder', { now: '2025-03-01T10:20:00.000Z' }))
      .then([lockedEvent('2025-03-01T10:50:00.000Z', '2025-03-01T10:20:00.000Z')]);
  });

  it('refuses while another user holds an unexpired lock', () => {
    given([ev.added(), ev.lockedBy(actors.otherClerk)])
      .when(command('LockOrder', {}))
      .thenThrows(LockedError, { holderUserId: actors.otherClerk.userId });
  });

  it('takes over a lock that has expired', () => {
    given([ev.added(), ev.lockedBy(actors.otherClerk)])
      .when(command('LockOrder', { now: LATER }))
      .then([lockedEvent('2025-03-01T11:30:00.000Z', LATER)]);
  });

  it.each([
    [0, 'min'],
    [481, 'max'],
    [1.5, 'type'],
  ])('rejects a duration of %s minutes', (durationMinutes, rule) => {
    given([ev.added()]).when(command('LockOrder', { durationMinutes })).thenThrows(ValidationError, invalid(['durationMinutes', rule]));
  });

  it('refuses to lock a cancelled order', () => {
    given([ev.added(), ev.cancelled()]).when(command('LockOrder', {})).thenThrows(InvalidStateError, stateRule('order.status.draft_or_active_required'));
  });

  it('forbids locking a sealed order without the sealed-update role of its court', () => {
    given([ev.added(), ev.sealed()]).when(command('LockOrder', {})).thenThrows(ForbiddenError);
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('LockOrder', {})).thenThrows(NotFoundError);
  });
});

describe('UnlockOrder', () => {
  it('lets the holder unlock', () => {
    given([ev.added(), ev.lockedBy(actors.clerk)])
      .when(command('UnlockOrder', {}))
      .then([{ type: 'OrderUnlocked', data: { unlockedBy: actors.clerk.userId, forced: false } }]);
  });

  it('lets an administrator of the holder’s organisation force it', () => {
    given([ev.added(), ev.lockedBy(actors.clerk)])
      .when(command('UnlockOrder', { actor: actors.admin }))
      .then([{ type: 'OrderUnlocked', data: { unlockedBy: actors.admin.userId, forced: true } }]);
  });

  it.each([
    ['another user', actors.otherClerk],
    ['an administrator of another organisation', actors.otherCourtAdmin],
  ])('forbids %s to unlock', (_, actor) => {
    given([ev.added(), ev.lockedBy(actors.clerk)])
      .when(command('UnlockOrder', { actor }))
      .thenThrows(ForbiddenError, stateRule('order.lock.holder_or_administrator_required'));
  });

  it('refuses to unlock an order that is not locked', () => {
    given([ev.added()]).when(command('UnlockOrder', {})).thenThrows(InvalidStateError, stateRule('order.lock.not_locked'));
  });

  it('treats an expired lock as no lock', () => {
    given([ev.added(), ev.lockedBy(actors.clerk)])
      .when(command('UnlockOrder', { now: LATER }))
      .thenThrows(InvalidStateError, stateRule('order.lock.not_locked'));
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('UnlockOrder', {})).thenThrows(NotFoundError);
  });
});

describe('AttachImage', () => {
  it.each([
    ['an active order', [ev.added()]],
    ['a draft', [ev.drafted()]],
  ])('attaches an image to %s', (_, history) => {
    given(history).when(command('AttachImage', { image: IMAGE })).then([{ type: 'ImageAttached', data: { image: IMAGE } }]);
  });

  it('refuses an image that is already attached', () => {
    given([ev.added(), { type: 'ImageAttached', data: { image: IMAGE } }])
      .when(command('AttachImage', { image: { ...IMAGE, sha256: IMAGE.sha256.toUpperCase() } }))
      .thenThrows(InvalidStateError, stateRule('order.image.already_attached'));
  });

  it('rejects a malformed hash, an unsupported type and a size of zero', () => {
    given([ev.added()])
      .when(command('AttachImage', { image: { sha256: 'abc', contentType: 'image/gif' as never, sizeBytes: 0 } }))
      .thenThrows(ValidationError, invalid(['image.sha256', 'sha256_format'], ['image.contentType', 'enum'], ['image.sizeBytes', 'min']));
  });

  it('refuses to attach to a cancelled order', () => {
    given([ev.added(), ev.cancelled()])
      .when(command('AttachImage', { image: IMAGE }))
      .thenThrows(InvalidStateError, stateRule('order.status.draft_or_active_required'));
  });

  it('refuses while another user holds the lock', () => {
    given([ev.added(), ev.lockedBy(actors.otherClerk)]).when(command('AttachImage', { image: IMAGE })).thenThrows(LockedError);
  });

  it('forbids attaching to a sealed order without the sealed-update role of its court', () => {
    given([ev.added(), ev.sealed()]).when(command('AttachImage', { image: IMAGE })).thenThrows(ForbiddenError);
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('AttachImage', { image: IMAGE })).thenThrows(NotFoundError);
  });
});

describe('ExpireOrder', () => {
  it('expires an active order the day after its expiration date', () => {
    given([ev.added()]).when(command('ExpireOrder', { asOfDate: '2025-03-16' })).then([{ type: 'OrderExpired', data: { asOfDate: '2025-03-16' } }]);
  });

  it('keeps an order in force on its expiration date', () => {
    given([ev.added()]).when(command('ExpireOrder', { asOfDate: '2025-03-15' })).thenThrows(InvalidStateError, stateRule('order.expire.not_due'));
  });

  it('never expires an order without an expiration date', () => {
    const { expirationDate: _, ...data } = fullOrderData();
    given([ev.added(data)]).when(command('ExpireOrder', { asOfDate: '2099-01-01' })).thenThrows(InvalidStateError, stateRule('order.expire.not_due'));
  });

  it.each([
    ['a draft', [ev.drafted({ ...draftData(), expirationDate: '2025-01-01' })]],
    ['an expired order', [ev.added(), ev.expired()]],
    ['a cancelled order', [ev.added(), ev.cancelled()]],
  ])('does not expire %s', (_, history) => {
    given(history).when(command('ExpireOrder', { asOfDate: '2025-12-31' })).thenThrows(InvalidStateError, stateRule('order.status.active_required'));
  });

  it('rejects an as-of date that is not a calendar date', () => {
    given([ev.added()]).when(command('ExpireOrder', { asOfDate: '2025-03-32' })).thenThrows(ValidationError, invalid(['asOfDate', 'date_format']));
  });

  it('answers not found for an unknown order', () => {
    given([]).when(command('ExpireOrder', { asOfDate: '2025-03-16' })).thenThrows(NotFoundError);
  });
});

describe('RecordCarposAnswer', () => {
  const accepted = { accepted: true as const, tcn: 'TCN-1', transactionType: 'ENTER' as const, fcn: '1234567890123' };
  const rejected = { accepted: false as const, tcn: 'TCN-2', transactionType: 'MODIFY' as const, code: 'REJ', message: 'NOT ON FILE', inputEcho: 'x'.repeat(150) };
  const answer = (a: CarposAnswer, extra: object = {}) => command('RecordCarposAnswer', { answer: a, actor: actors.worker, ...extra });
  const acceptedEvent: OrderEvent = { type: 'CarposTransactionAccepted', data: { tcn: 'TCN-1', transactionType: 'ENTER', fcn: '1234567890123' } };

  it('records an acceptance with its FCN', () => {
    given([ev.added(fullOrderData(), true)]).when(answer(accepted)).then([acceptedEvent]);
  });

  it('records a rejection with the first 100 characters of the input echoed', () => {
    given([ev.added(fullOrderData(), true)])
      .when(answer(rejected))
      .then([
        {
          type: 'CarposTransactionRejected',
          data: { tcn: 'TCN-2', transactionType: 'MODIFY', code: 'REJ', message: 'NOT ON FILE', inputEcho: 'x'.repeat(100) },
        },
      ]);
  });

  it('ignores a redelivered answer to a TCN already answered', () => {
    given([ev.added(fullOrderData(), true), acceptedEvent]).when(answer(accepted)).then([]);
  });

  it('records the answer to a CANCEL after the order is cancelled', () => {
    given([ev.added(fullOrderData(), true), ev.cancelled()])
      .when(answer({ ...accepted, tcn: 'TCN-9', transactionType: 'CANCEL' }))
      .then([{ type: 'CarposTransactionAccepted', data: { tcn: 'TCN-9', transactionType: 'CANCEL', fcn: '1234567890123' } }]);
  });

  it('rejects an FCN that is not 13 digits', () => {
    given([ev.added(fullOrderData(), true)])
      .when(answer({ ...accepted, fcn: '12345' }))
      .thenThrows(ValidationError, invalid(['answer.fcn', 'fcn_format']));
  });

  it('answers not found for an unknown order', () => {
    given([]).when(answer(accepted)).thenThrows(NotFoundError);
  });
});

describe('evolve', () => {
  const at = (events: OrderEvent[]) => fold(orderDecider, events);

  it('starts with no order', () => {
    expect(orderDecider.initialState()).toMatchObject({ status: 'NONE', orderId: null, data: null, sealed: false, lock: null });
  });

  it('follows an order from draft to cancellation', () => {
    const served: OrderEvent = { type: 'OrderServed', data: { servedAt: NOW, method: 'IN_COURT', servedBy: 'Clerk', agency: 'Court' } };
    const state = at([
      ev.drafted(),
      { type: 'OrderAdded', data: { orderId: ORDER_ID, data: fullOrderData(), submitToCarpos: true, fromDraft: true } },
      ev.lockedBy(actors.clerk),
      served,
      { type: 'ImageAttached', data: { image: IMAGE } },
      ev.sealed(),
      { type: 'CarposTransactionAccepted', data: { tcn: 'T1', transactionType: 'ENTER', fcn: '1234567890123' } },
      { type: 'CarposTransactionRejected', data: { tcn: 'T2', transactionType: 'SERVICE', code: 'E', message: 'bad', inputEcho: 'in' } },
      ev.cancelled(),
    ]);
    expect(state).toEqual({
      status: 'CANCELLED',
      orderId: ORDER_ID,
      data: fullOrderData(),
      courtOri: COURT_ORI,
      sealed: true,
      lock: { holder: actors.clerk.userId, organisation: COURT_ORI, expiresAt: '2025-03-01T10:30:00.000Z' },
      services: [served.data],
      images: [IMAGE],
      carpos: {
        submitted: true,
        fcn: '1234567890123',
        lastAnswer: { accepted: false, tcn: 'T2', transactionType: 'SERVICE', code: 'E', message: 'bad', inputEcho: 'in' },
        answeredTcns: ['T1', 'T2'],
      },
      clonedFrom: null,
      cancellation: { reason: 'ENTERED_IN_ERROR' },
    });
  });

  it('clears the lock on unlock and the seal on unseal', () => {
    const state = at([ev.added(), ev.lockedBy(actors.clerk), ev.sealed(), { type: 'OrderUnlocked', data: { unlockedBy: 'x', forced: false } }, { type: 'OrderUnsealed', data: {} }]);
    expect(state).toMatchObject({ lock: null, sealed: false, status: 'ACTIVE' });
  });

  it('marks an expired order EXPIRED', () => {
    expect(at([ev.added(), ev.expired()]).status).toBe('EXPIRED');
  });

  it('starts a clone as an ACTIVE order that remembers its source', () => {
    const state = at([{ type: 'OrderCloned', data: { orderId: ORDER_ID, clonedFrom: SOURCE_ID, data: fullOrderData(), submitToCarpos: false } }]);
    expect(state).toMatchObject({ status: 'ACTIVE', clonedFrom: SOURCE_ID, courtOri: COURT_ORI, carpos: { submitted: false } });
  });

  it('takes the data and originating court from a modification', () => {
    const moved = { ...fullOrderData(), court: { county: 'Kern', ori: OTHER_COURT_ORI } };
    const state = at([ev.added(), { type: 'OrderModified', data: { changes: [], data: moved } }]);
    expect(state).toMatchObject({ data: moved, courtOri: OTHER_COURT_ORI });
  });

  it('produces events that survive a JSON round trip unchanged', () => {
    const events = [
      ...orderDecider.decide(command('AddOrder', { data: fullOrderData(), submitToCarpos: true }), at([])),
      ...orderDecider.decide(command('ModifyOrder', { patch: { protectedPersons: [...fullOrderData().protectedPersons, { lastName: 'Duck', firstName: 'Daisy' }] } }), at([ev.added()])),
      ...orderDecider.decide(command('LockOrder', {}), at([ev.added()])),
    ];
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
    expect(at(JSON.parse(JSON.stringify(events)))).toEqual(at(events));
  });
});
