import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { InvalidStateError, NotFoundError } from '../shared/domain-error';
import { OriSchema } from '../shared/ori';
import { parseOrThrow } from '../shared/zod-violations';
import type { OrderImage } from '../orders/order.events';
import { OrderImageSchema } from '../orders/order.commands';
import { CONVERSION_TARGETS, ConversionTarget, QuickAttachEvent, QuickAttachIndex, QuickAttachState } from './quick-attach.events';

/**
 * Commands on one quick attach and the pure `decide`. Who may send them, and the county scope,
 * are the policy module's; here live the rules of the quick attach itself.
 */

interface CommandBase<Type extends string> {
  type: Type;
  quickAttachId: string;
  /** ISO instant at which the command was accepted. */
  now: string;
  actor: Actor;
}

/** court: the user's own organisation and its county; image: as the upload record has it. */
export type AddQuickAttach = CommandBase<'AddQuickAttach'> & { court: { county: string; ori: string }; image: OrderImage } & QuickAttachIndex;
/** Sent once the order exists with the image attached. */
export type ConvertQuickAttach = CommandBase<'ConvertQuickAttach'> & { orderId: string; into: ConversionTarget };

export type QuickAttachCommand = AddQuickAttach | ConvertQuickAttach;

export function decide(command: QuickAttachCommand, state: QuickAttachState): QuickAttachEvent[] {
  switch (command.type) {
    case 'AddQuickAttach': {
      if (state.status !== 'NONE') throw new InvalidStateError('quickAttach.already_exists', `quick attach ${command.quickAttachId} already exists`);
      const { court, image, caseNumber, restrainedPerson, notes } = parseOrThrow(AddSchema, command);
      return [{ type: 'QuickAttachAdded', data: { quickAttachId: command.quickAttachId, court, image, ...index(caseNumber, restrainedPerson, notes) } }];
    }
    case 'ConvertQuickAttach': {
      if (state.status === 'NONE') throw new NotFoundError('quick attach', command.quickAttachId);
      const { orderId, into } = parseOrThrow(ConvertSchema, command);
      if (state.conversion) {
        // Converting again into the same order is a retry of a conversion that got that far.
        if (state.conversion.orderId === orderId) return [];
        throw new InvalidStateError(
          'quickAttach.already_converted',
          `quick attach ${command.quickAttachId} was already converted into order ${state.conversion.orderId}`,
        );
      }
      return [{ type: 'QuickAttachConverted', data: { orderId, into } }];
    }
  }
}

/** Absent parts stay absent, so events hold only what was known. */
function index(caseNumber?: string, restrainedPerson?: QuickAttachIndex['restrainedPerson'], notes?: string): QuickAttachIndex {
  const person = restrainedPerson && Object.values(restrainedPerson).some((name) => name !== undefined) ? { restrainedPerson } : {};
  return { ...(caseNumber === undefined ? {} : { caseNumber }), ...person, ...(notes === undefined ? {} : { notes }) };
}

const text = (max: number) => z.string().trim().min(1).max(max);
/** Index data is "if known": a blank field is not known. */
const ifKnown = (max: number) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), text(max).optional());
// The same limits as the order's own fields (order-data.ts), so index data always fits an order.
const AddSchema = z.object({
  court: z.strictObject({ county: text(50), ori: OriSchema }),
  image: OrderImageSchema,
  caseNumber: ifKnown(30),
  restrainedPerson: z.strictObject({ lastName: ifKnown(50), firstName: ifKnown(50) }).optional(),
  notes: ifKnown(2000),
});

const ConvertSchema = z.object({
  orderId: z.uuid(),
  into: z.enum(CONVERSION_TARGETS),
});
