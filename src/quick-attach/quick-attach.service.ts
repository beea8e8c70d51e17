import { Inject, Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { QuickAttachCriteria, QuickAttachItem, QuickAttachPage, searchQuickAttaches } from '../../projections/quick-attaches/quick-attaches.query';
import { AccessLog } from '../access/access-log';
import { canQuickAttach, Decision, redactQuickAttach, searchViewer, toDomainError } from '../access/access-policy';
import { ACCESS_LOG } from '../access/access.tokens';
import { CLOCK, Clock } from '../app/clock';
import { POSTGRES } from '../app/infrastructure.module';
import { CommandHandler } from '../command-handling/command-handler';
import { commandIdFor } from '../command-handling/idempotency';
import { ImageUploads } from '../images/image-uploads';
import { DownloadAccess, ImageService } from '../images/image.service';
import { IMAGE_UPLOADS } from '../images/images.tokens';
import { applyPatch, OrderDataPatch } from '../orders/order-data';
import { Caller, OrderMutationResult, OrderService } from '../orders/order.service';
import { PostgresConnection } from '../postgres/postgres-connection';
import { ConcurrencyConflictError, InvalidStateError, NotFoundError } from '../shared/domain-error';
import { OrganisationCounties } from './organisation-counties';
import { AddQuickAttach, ConvertQuickAttach, QuickAttachCommand } from './quick-attach.commands';
import { quickAttachStream } from './quick-attach.decider';
import { ConversionTarget, QuickAttachEvent, QuickAttachIndex, QuickAttachState } from './quick-attach.events';
import { ORGANISATION_COUNTIES, QUICK_ATTACH_COMMANDS } from './quick-attach.tokens';
import { foldQuickAttachEvent, QuickAttachView } from './quick-attach.view';

export type QuickAttachCommands = CommandHandler<QuickAttachCommand, QuickAttachEvent, QuickAttachState>;

export interface QuickAttachMutationResult {
  quickAttachId: string;
  revision: number;
  position: string;
  replayed: boolean;
  quickAttach: QuickAttachView;
}

export interface QuickAttachConversion extends QuickAttachMutationResult {
  /** The order as the conversion left it: created, with the image attached. */
  order: OrderMutationResult;
}

export interface NewQuickAttach extends QuickAttachIndex {
  imageId: string;
  fileName?: string;
}

/** New quick attaches get ids derived from the command id, so a retried add lands on the same stream. */
const NEW_QUICK_ATTACH_NAMESPACE = '8d3f0a52-6c1e-4b7d-a0f4-3e9b2c7d5a61';
/** The order a quick attach becomes is named after it (see `convert`). */
const CONVERTED_ORDER_NAMESPACE = 'c41e7b90-2f6d-4a18-b5c3-9e0d8f2a7b64';

/**
 * Quick Attach (DESIGN §6): a scanned order entered before its data, found within the county
 * it was entered in, and converted into an order through the order commands themselves. Every
 * decision goes through the one policy (canQuickAttach); searches are written to the access log.
 */
@Injectable()
export class QuickAttachService {
  constructor(
    @Inject(QUICK_ATTACH_COMMANDS) private readonly commands: QuickAttachCommands,
    @Inject(ORGANISATION_COUNTIES) private readonly counties: OrganisationCounties,
    @Inject(IMAGE_UPLOADS) private readonly uploads: ImageUploads,
    @Inject(OrderService) private readonly orders: OrderService,
    @Inject(ImageService) private readonly images: ImageService,
    @Inject(POSTGRES) private readonly postgres: PostgresConnection,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ACCESS_LOG) private readonly accessLog: AccessLog,
  ) {}

  /** Enters a scan uploaded by someone of the user's organisation, for that organisation and its county. */
  async add(caller: Caller, idempotencyKey: string, input: NewQuickAttach): Promise<QuickAttachMutationResult> {
    const { principal } = caller;
    const county = await this.counties.countyOf(principal.organisation);
    requireAllowed(canQuickAttach(principal, county, 'order.quickAttach'), 'new');
    const uploaded = await this.uploads.imageFor(input.imageId, principal.organisation);
    if (!uploaded) throw new NotFoundError('image', input.imageId);
    const commandId = commandIdFor(principal.userId, idempotencyKey);
    const { imageId: _, fileName, ...index } = input;
    const body: Omit<AddQuickAttach, 'quickAttachId' | 'now' | 'actor'> = {
      type: 'AddQuickAttach',
      court: { county: county!, ori: principal.organisation },
      image: fileName === undefined ? uploaded : { ...uploaded, fileName },
      ...index,
    };
    return this.send(caller, uuidv5(commandId, NEW_QUICK_ATTACH_NAMESPACE), commandId, body);
  }

  /**
   * Converts a pending quick attach into a DRAFT or ACTIVE order of the user's court: creates the
   * order (its index data filling what `data` leaves out), attaches the image, then marks the
   * quick attach converted. Each step is idempotent under a key derived from the client's, so a
   * retry after a failure part-way finishes the same conversion instead of making a second order.
   */
  async convert(
    caller: Caller,
    idempotencyKey: string,
    quickAttachId: string,
    into: ConversionTarget,
    data: OrderDataPatch,
    submitToCarpos: boolean,
  ): Promise<QuickAttachConversion> {
    const { principal } = caller;
    const { added, conversion } = await this.current(quickAttachId);
    const county = await this.counties.countyOf(principal.organisation);
    requireAllowed(canQuickAttach(principal, county, 'quickAttach.convert', { county: added.court.county }), quickAttachId);
    // `#` never occurs in a client's key, so these never meet a key the client sent itself.
    const orderKey = `${idempotencyKey}#order`;
    // One order per quick attach, whoever converts it: two conversions racing meet on this id.
    const orderId = uuidv5(quickAttachId, CONVERTED_ORDER_NAMESPACE);
    const alreadyConverted = () =>
      new InvalidStateError('quickAttach.already_converted', `quick attach ${quickAttachId} was already converted into order ${conversion?.orderId ?? orderId}`);
    const known: OrderDataPatch = {
      court: { county: county!, ori: principal.organisation },
      ...(added.caseNumber === undefined ? {} : { caseNumber: added.caseNumber }),
      ...(added.restrainedPerson === undefined ? {} : { restrainedPerson: added.restrainedPerson }),
      ...(added.notes === undefined ? {} : { notes: added.notes }),
    };
    const orderData = applyPatch(known, data) as OrderDataPatch;
    const courtOri = orderData.court?.ori;
    try {
      if (into === 'DRAFT') await this.orders.create(caller, orderKey, 'order.draft', courtOri, { type: 'DraftOrder', data: orderData }, orderId);
      else await this.orders.create(caller, orderKey, 'order.add', courtOri, { type: 'AddOrder', data: orderData, submitToCarpos }, orderId);
    } catch (error) {
      // The order exists and this is not a retry of the command that made it: someone else converted it.
      if (error instanceof ConcurrencyConflictError) throw alreadyConverted();
      throw error;
    }
    const order = await this.orders.change(caller, `${idempotencyKey}#image`, orderId, undefined, 'order.attachImage', {
      type: 'AttachImage',
      image: added.image,
    });
    const body: Omit<ConvertQuickAttach, 'quickAttachId' | 'now' | 'actor'> = { type: 'ConvertQuickAttach', orderId, into };
    const converted = await this.send(caller, quickAttachId, commandIdFor(principal.userId, idempotencyKey), body);
    // A conversion found already recorded appends nothing (position 0): the order's position is then the one to wait for.
    const position = BigInt(converted.position) > BigInt(order.position) ? converted.position : order.position;
    return { ...converted, position, order };
  }

  async search(caller: Caller, criteria: QuickAttachCriteria, page: number): Promise<QuickAttachPage> {
    const { principal } = caller;
    const county = await this.counties.countyOf(principal.organisation);
    const decision = canQuickAttach(principal, county, 'quickAttach.search');
    if (!decision.allowed) {
      await this.log(caller, 'refused', { criteria, page, rule: decision.rule });
      throw toDomainError(decision, 'quick attaches', 'search');
    }
    const found = await searchQuickAttaches(this.postgres.pool, criteria, page, { county: county!, includeSealed: searchViewer(principal).includeSealed });
    await this.log(caller, 'ok', { criteria, page, totalCount: found.totalCount });
    return { ...found, items: found.items.map((item: QuickAttachItem) => redactQuickAttach(item)) };
  }

  /**
   * What the quick attach image route serves: a pending quick attach's image within its county;
   * once converted the image is the order's, and the order's rules decide (the answer still
   * names only the quick attach, so it tells nothing of an order the user may not know).
   */
  async imageAccess(caller: Caller, quickAttachId: string): Promise<DownloadAccess> {
    const { state } = await this.commands.current(quickAttachStream(quickAttachId));
    const base = { what: 'quick attach', target: quickAttachId };
    if (!state.added) return { ...base, decision: undefined, image: undefined };
    const imageId = state.added.image.sha256;
    if (state.conversion) {
      const { orderId } = state.conversion;
      const viaOrder = await this.images.orderImageAccess(caller, orderId, imageId);
      return { ...viaOrder, ...base, details: { orderId } };
    }
    const county = await this.counties.countyOf(caller.principal.organisation);
    const decision = canQuickAttach(caller.principal, county, 'quickAttach.view', { county: state.added.court.county });
    return { ...base, imageId, decision, image: state.added.image };
  }

  /** The quick attach as its stream says now; NOT_FOUND when there is none. */
  private async current(quickAttachId: string): Promise<QuickAttachState & { added: NonNullable<QuickAttachState['added']> }> {
    const { state } = await this.commands.current(quickAttachStream(quickAttachId));
    if (!state.added) throw new NotFoundError('quick attach', quickAttachId);
    return { ...state, added: state.added };
  }

  private async send(
    { principal }: Caller,
    quickAttachId: string,
    commandId: string,
    body: Omit<QuickAttachCommand, 'quickAttachId' | 'now' | 'actor'>,
  ): Promise<QuickAttachMutationResult> {
    const now = this.clock.now().toISOString();
    const { userId, organisation, roles } = principal;
    const command = { ...body, quickAttachId, now, actor: { userId, organisation, roles } } as QuickAttachCommand;
    const stream = quickAttachStream(quickAttachId);
    const result = await this.commands.handle(stream, command, { commandId, actor: { userId, organisation, role: roles.join(',') }, occurredAt: now });
    // As the command left it, folded from the store with who and when (read models may lag).
    const events = (await this.commands.load(stream)).slice(0, Number(result.revision) + 1);
    return {
      quickAttachId,
      revision: Number(result.revision),
      position: result.position.toString(),
      replayed: result.replayed,
      quickAttach: events.reduce<QuickAttachView | undefined>(foldQuickAttachEvent, undefined)!,
    };
  }

  private log(caller: Caller, outcome: 'ok' | 'refused', details: Record<string, unknown>) {
    return this.accessLog.recordFor(caller, this.clock.now(), { action: 'search', outcome, target: null, details: { of: 'quickAttaches', ...details } });
  }
}

function requireAllowed(decision: Decision, quickAttachId: string): void {
  if (!decision.allowed) throw toDomainError(decision, 'quick attach', quickAttachId);
}
