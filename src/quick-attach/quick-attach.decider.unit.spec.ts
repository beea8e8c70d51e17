import { deciderSpec } from '../../test/support/given-when-then';
import { InvalidStateError, NotFoundError, ValidationError } from '../shared/domain-error';
import type { OrderImage } from '../orders/order.events';
import { AddQuickAttach, ConvertQuickAttach } from './quick-attach.commands';
import { quickAttachDecider, quickAttachStream } from './quick-attach.decider';
import { QuickAttachAdded, QuickAttachConverted } from './quick-attach.events';

const { given } = deciderSpec(quickAttachDecider);

const ID = '6a1f3c9e-2b7d-4e8a-9c0f-1d2e3f4a5b6c';
const ORDER_ID = '0c9b8a7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const OTHER_ORDER_ID = '1d0c9b8a-7e6f-4a5b-8c3d-2e1f0a9b8c7d';
const IMAGE: OrderImage = { sha256: 'ab'.repeat(32), contentType: 'application/pdf', sizeBytes: 2048, pageCount: 3, fileName: 'scan.pdf' };
const COURT = { county: 'Alameda', ori: 'CA010015J' };
const base = { quickAttachId: ID, now: '2026-03-02T09:00:00.000Z', actor: { userId: 'clerk', organisation: COURT.ori, roles: ['QUERY_UPDATE'] } };

const add = (extra: Partial<AddQuickAttach> = {}): AddQuickAttach => ({ ...base, type: 'AddQuickAttach', court: COURT, image: IMAGE, ...extra });
const convert = (orderId = ORDER_ID, into: ConvertQuickAttach['into'] = 'DRAFT'): ConvertQuickAttach => ({ ...base, type: 'ConvertQuickAttach', orderId, into });
const added = (data: Partial<QuickAttachAdded['data']> = {}): QuickAttachAdded => ({ type: 'QuickAttachAdded', data: { quickAttachId: ID, court: COURT, image: IMAGE, ...data } });
const converted = (orderId = ORDER_ID): QuickAttachConverted => ({ type: 'QuickAttachConverted', data: { orderId, into: 'DRAFT' } });

describe('AddQuickAttach', () => {
  it('records the scan with only what is known, trimmed; blank index fields are not known', () => {
    given([])
      .when(add({ caseNumber: ' FL-1 ', restrainedPerson: { lastName: 'Doe', firstName: '  ' }, notes: '' }))
      .then([added({ caseNumber: 'FL-1', restrainedPerson: { lastName: 'Doe' } })]);
    given([]).when(add({ restrainedPerson: {} })).then([added()]);
  });

  it('refuses a second add on the same stream', () => {
    given([added()]).when(add()).thenThrows(InvalidStateError, { rule: 'quickAttach.already_exists' });
  });

  it('checks the court, the image and the index data as the order does', () => {
    const error = given([])
      .when(add({ court: { county: '', ori: 'X' }, image: { ...IMAGE, contentType: 'image/gif' as never }, caseNumber: 'x'.repeat(31) }))
      .thenThrows(ValidationError);
    expect(error.violations.map((v) => v.field).sort()).toEqual(['caseNumber', 'court.county', 'court.ori', 'image.contentType']);
  });
});

describe('ConvertQuickAttach', () => {
  it('marks a pending quick attach converted into the order', () => {
    given([added()]).when(convert(ORDER_ID, 'ACTIVE')).then([{ type: 'QuickAttachConverted', data: { orderId: ORDER_ID, into: 'ACTIVE' } }]);
  });

  it('is a no-op when it already became that very order (a retried conversion), and a conflict for another', () => {
    given([added(), converted()]).when(convert()).then([]);
    given([added(), converted()]).when(convert(OTHER_ORDER_ID)).thenThrows(InvalidStateError, { rule: 'quickAttach.already_converted' });
  });

  it('answers NOT_FOUND for a quick attach that does not exist, and checks its input', () => {
    given([]).when(convert()).thenThrows(NotFoundError);
    given([added()]).when(convert('nope', 'EXPIRED' as never)).thenThrows(ValidationError, { violations: [expect.objectContaining({ field: 'orderId' }), expect.objectContaining({ field: 'into' })] });
  });
});

it('names its stream quickattach-<uuid> (DESIGN §2)', () => expect(quickAttachStream(ID)).toBe(`quickattach-${ID}`));
