import { createUnionType, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { ExistenceOnly } from '../access/access-policy';
import { COUNT_CAP } from '../../projections/order-search/order-search.query';
import type { OrderDetail } from './order-history';

/**
 * The order as GraphQL clients read it (DESIGN §12), mirroring OrderDetail field for field.
 * Order data fields are nullable because a DRAFT may lack any of them; codes (order type,
 * sex, race, condition codes, Y/N/U) are strings, validated by the order's own rules on input.
 */

@ObjectType('Court')
export class CourtType {
  @Field(() => String) county!: string;
  @Field(() => String, { description: 'NCIC ORI of the originating court.' }) ori!: string;
}

@ObjectType('RestrainedPerson')
export class RestrainedPersonType {
  @Field(() => String, { nullable: true }) lastName?: string;
  @Field(() => String, { nullable: true }) firstName?: string;
  @Field(() => String, { nullable: true }) middleName?: string;
  @Field(() => [String], { nullable: true }) aliases?: string[];
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) dateOfBirth?: string;
  @Field(() => Int, { nullable: true }) age?: number;
  @Field(() => String, { nullable: true, description: 'M, F or U' }) sex?: string;
  @Field(() => String, { nullable: true, description: 'A, B, H, I, P, U or W' }) race?: string;
  @Field(() => Int, { nullable: true, description: 'Whole inches.' }) height?: number;
  @Field(() => Int, { nullable: true, description: 'Pounds.' }) weight?: number;
  @Field(() => String, { nullable: true }) hair?: string;
  @Field(() => String, { nullable: true }) eyes?: string;
  @Field(() => String, { nullable: true }) address?: string;
  @Field(() => String, { nullable: true }) relationship?: string;
}

@ObjectType('ProtectedPerson')
export class ProtectedPersonType {
  @Field(() => String, { nullable: true }) lastName?: string;
  @Field(() => String, { nullable: true }) firstName?: string;
  @Field(() => String, { nullable: true }) middleName?: string;
  @Field(() => String, { nullable: true }) dateOfBirth?: string;
  @Field(() => String, { nullable: true }) sex?: string;
  @Field(() => String, { nullable: true }) race?: string;
  @Field(() => String, { nullable: true }) relationship?: string;
}

@ObjectType('OrderCondition')
export class OrderConditionType {
  @Field(() => String, { description: 'NCIC condition code 01–09.' }) code!: string;
  @Field(() => String, { nullable: true, description: 'Required for 08 (other conditions).' }) text?: string;
}

@ObjectType('OrderData')
export class OrderDataType {
  @Field(() => String, { nullable: true }) caseNumber?: string;
  @Field(() => CourtType) court!: CourtType;
  @Field(() => String, { description: 'Judicial Council form, e.g. DV-110.' }) orderType!: string;
  @Field(() => String, { nullable: true }) issuedDate?: string;
  @Field(() => String, { nullable: true }) expirationDate?: string;
  @Field(() => String, { nullable: true }) hearingDate?: string;
  @Field(() => String, { nullable: true }) judge?: string;
  @Field(() => RestrainedPersonType, { nullable: true }) restrainedPerson?: RestrainedPersonType;
  @Field(() => [ProtectedPersonType], { nullable: true }) protectedPersons?: ProtectedPersonType[];
  @Field(() => [OrderConditionType], { nullable: true }) conditions?: OrderConditionType[];
  @Field(() => String, { nullable: true, description: 'Y, N or U' }) firearmProhibition?: string;
  @Field(() => String, { nullable: true, description: 'Y, N or U' }) bradyIndicator?: string;
  @Field(() => String, { nullable: true }) notes?: string;
}

@ObjectType('Service')
export class ServiceType {
  @Field(() => String) servedAt!: string;
  @Field(() => String) method!: string;
  @Field(() => String) servedBy!: string;
  @Field(() => String) agency!: string;
  @Field(() => String, { nullable: true }) notes?: string;
}

@ObjectType('OrderImage')
export class OrderImageType {
  @Field(() => String) sha256!: string;
  @Field(() => String) contentType!: string;
  @Field(() => Int) sizeBytes!: number;
  @Field(() => Int, { nullable: true }) pageCount?: number;
  @Field(() => String, { nullable: true }) fileName?: string;
}

@ObjectType('OrderLock')
export class OrderLockType {
  @Field(() => String, { description: 'User id of the holder.' }) holder!: string;
  @Field(() => String) organisation!: string;
  @Field(() => String, { description: 'After this instant the lock no longer binds.' }) expiresAt!: string;
}

@ObjectType('CarposAnswer')
export class CarposAnswerType {
  @Field(() => Boolean) accepted!: boolean;
  @Field(() => String) transactionType!: string;
  @Field(() => String) tcn!: string;
  @Field(() => String, { nullable: true }) fcn!: string | null;
  @Field(() => String, { nullable: true }) code!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => String, { nullable: true }) inputEcho!: string | null;
  @Field(() => String) answeredAt!: string;
}

@ObjectType('CarposStatus', { description: 'FCN and DOJ answers are shown to CLETS-certified users only.' })
export class CarposStatusType {
  @Field(() => Boolean) submitted!: boolean;
  @Field(() => String, { nullable: true }) fcn!: string | null;
  @Field(() => CarposAnswerType, { nullable: true }) lastAnswer!: CarposAnswerType | null;
}

@ObjectType('Cancellation')
export class CancellationType {
  @Field(() => String) reason!: string;
  @Field(() => String, { nullable: true }) reasonText?: string;
}

@ObjectType('ActorStamp')
export class ActorStampType {
  @Field(() => String) at!: string;
  @Field(() => String) userId!: string;
  @Field(() => String) organisation!: string;
}

@ObjectType('Order', { description: 'An order in full, as the View Protective Order screen shows it.' })
export class OrderType implements OrderDetail {
  @Field(() => ID) orderId!: string;
  @Field(() => Int, { description: 'Stream revision shown; pass it back as expectedRevision to refuse edits over unseen changes.' })
  revision!: number;
  @Field(() => String, { description: 'DRAFT, ACTIVE, CANCELLED or EXPIRED.' }) status!: OrderDetail['status'];
  @Field(() => Boolean) sealed!: boolean;
  @Field(() => OrderDataType) data!: OrderDetail['data'];
  @Field(() => [ServiceType]) services!: OrderDetail['services'];
  @Field(() => [OrderImageType]) images!: OrderDetail['images'];
  @Field(() => OrderLockType, { nullable: true }) lock!: OrderDetail['lock'];
  @Field(() => CarposStatusType) carpos!: OrderDetail['carpos'];
  @Field(() => CancellationType, { nullable: true }) cancellation!: OrderDetail['cancellation'];
  @Field(() => ID, { nullable: true }) clonedFrom!: string | null;
  @Field(() => ActorStampType) created!: OrderDetail['created'];
  @Field(() => ActorStampType) updated!: OrderDetail['updated'];
}

@ObjectType('SealedOrderNotice', {
  description: 'A sealed order of another court: that it exists, and nothing more (DESIGN §4).',
})
export class SealedOrderNoticeType implements ExistenceOnly {
  @Field(() => ID) orderId!: string;
  @Field(() => String, { nullable: true }) caseNumber!: string | null;
  @Field(() => CourtType) court!: ExistenceOnly['court'];
  @Field(() => String) orderType!: string;
  @Field(() => String) status!: ExistenceOnly['status'];
  @Field(() => Boolean) sealed!: true;
}

export const OrderViewUnion = createUnionType({
  name: 'OrderView',
  description: 'An order as the signed-in user may see it.',
  types: () => [OrderType, SealedOrderNoticeType] as const,
  resolveType: (view: object) => ('data' in view ? OrderType : SealedOrderNoticeType),
});

@ObjectType('OrderMutationResult')
export class OrderMutationResultType {
  @Field(() => ID) orderId!: string;
  @Field(() => Int, { description: 'Stream revision after the command.' }) revision!: number;
  @Field(() => String, { description: 'Global event position (64-bit, as text): pass as waitForPosition to read your own write.' })
  position!: string;
  @Field(() => Boolean, { description: 'True when this idempotency key had been used before: nothing new happened.' }) replayed!: boolean;
  @Field(() => OrderViewUnion, { nullable: true, description: 'The order as the command left it; null when the user may see no order data.' })
  order!: OrderDetail | ExistenceOnly | null;
}

@ObjectType('OrderSearchPerson')
export class OrderSearchPersonType {
  @Field(() => String, { nullable: true }) lastName!: string | null;
  @Field(() => String, { nullable: true }) firstName!: string | null;
  @Field(() => String, { nullable: true }) dateOfBirth!: string | null;
}

@ObjectType('OrderSearchItem', { description: 'Sealed orders of another court show case number, court, type and status only.' })
export class OrderSearchItemType {
  @Field(() => ID) orderId!: string;
  @Field(() => String, { nullable: true }) caseNumber!: string | null;
  @Field(() => String) courtOri!: string;
  @Field(() => String, { nullable: true }) county!: string | null;
  @Field(() => String) orderType!: string;
  @Field(() => String) status!: string;
  @Field(() => Boolean) sealed!: boolean;
  @Field(() => String, { nullable: true }) issuedDate!: string | null;
  @Field(() => String, { nullable: true }) expirationDate!: string | null;
  @Field(() => OrderSearchPersonType) restrainedPerson!: OrderSearchPersonType;
}

const CAP = COUNT_CAP.toLocaleString('en-US');

@ObjectType('OrderSearchPage')
export class OrderSearchPageType {
  @Field(() => Int, { description: `Matching orders, counted exactly up to ${CAP}; ${CAP} when more match (see totalCountIsExact).` })
  totalCount!: number;
  @Field(() => Boolean, { description: `False when more than ${CAP} orders match: narrow the search to see them all.` })
  totalCountIsExact!: boolean;
  @Field(() => Int) page!: number;
  @Field(() => Int, { description: '0 when nothing matched.' }) pageCount!: number;
  @Field(() => Int, { nullable: true, description: 'The next page, if any.' }) next!: number | null;
  @Field(() => Int, { nullable: true, description: 'The last page, if any.' }) last!: number | null;
  @Field(() => [OrderSearchItemType]) items!: OrderSearchItemType[];
}

@ObjectType('FieldChange')
export class FieldChangeType {
  @Field(() => String, { description: 'Dotted path, e.g. restrainedPerson.sex.' }) field!: string;
  @Field(() => String, { nullable: true, description: 'JSON of the value before; null when absent.' }) before!: string | null;
  @Field(() => String, { nullable: true, description: 'JSON of the value after; null when absent.' }) after!: string | null;
}

@ObjectType('OrderHistoryActor')
export class HistoryActorType {
  @Field(() => String) userId!: string;
  @Field(() => String) organisation!: string;
  @Field(() => String) role!: string;
}

@ObjectType('OrderHistoryEntry', { description: 'One event of the order, as the audit trail keeps it.' })
export class OrderHistoryEntryType {
  @Field(() => String) position!: string;
  @Field(() => Int) revision!: number;
  @Field(() => String) type!: string;
  @Field(() => HistoryActorType) actor!: HistoryActorType;
  @Field(() => String, { description: 'Business time, from the command.' }) occurredAt!: string;
  @Field(() => String, { description: 'When the registry recorded it.' }) recordedAt!: string;
  @Field(() => String) commandId!: string;
  @Field(() => String) correlationId!: string;
  @Field(() => [FieldChangeType], { nullable: true, description: 'OrderModified: every changed field.' }) changes!: FieldChangeType[] | null;
  @Field(() => String, { description: 'The event data as JSON.' }) data!: string;
}

@ObjectType('LockedOrder')
export class LockedOrderType {
  @Field(() => ID) orderId!: string;
  @Field(() => String, { nullable: true }) caseNumber!: string | null;
  @Field(() => String) courtOri!: string;
  @Field(() => Boolean) sealed!: boolean;
  @Field(() => String) lockedBy!: string;
  @Field(() => String) lockedByOrganisation!: string;
  @Field(() => String) lockedAt!: string;
  @Field(() => String) expiresAt!: string;
}
