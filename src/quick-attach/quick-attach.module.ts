import { Module } from '@nestjs/common';
import { EVENT_STORE } from '../app/infrastructure.module';
import { CommandHandler } from '../command-handling/command-handler';
import { EventStore } from '../event-store/event-store.port';
import { IdentityModule } from '../identity/identity.module';
import { organisationDecider } from '../identity/organisation.decider';
import { OrdersModule } from '../orders/orders.module';
import { OrganisationCounties } from './organisation-counties';
import { QuickAttachController } from './quick-attach.controller';
import { quickAttachDecider } from './quick-attach.decider';
import { QuickAttachResolver } from './quick-attach.resolver';
import { QuickAttachService } from './quick-attach.service';
import { ORGANISATION_COUNTIES, QUICK_ATTACH_COMMANDS } from './quick-attach.tokens';

/** Quick Attach (DESIGN §6): GraphQL to add, find and convert; HTTP for the scan. Needs ImagesModule (global). */
@Module({
  imports: [OrdersModule, IdentityModule],
  providers: [
    { provide: QUICK_ATTACH_COMMANDS, useFactory: (store: EventStore) => new CommandHandler(store, quickAttachDecider), inject: [EVENT_STORE] },
    {
      provide: ORGANISATION_COUNTIES,
      useFactory: (store: EventStore) => new OrganisationCounties(new CommandHandler(store, organisationDecider)),
      inject: [EVENT_STORE],
    },
    QuickAttachService,
    QuickAttachResolver,
  ],
  controllers: [QuickAttachController],
})
export class QuickAttachModule {}
