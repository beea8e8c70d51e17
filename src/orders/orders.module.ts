import { Module } from '@nestjs/common';
import { EVENT_STORE } from '../app/infrastructure.module';
import { CommandHandler } from '../command-handling/command-handler';
import { EventStore } from '../event-store/event-store.port';
import { orderUpcasters } from './order-history';
import { orderDecider } from './order.decider';
import { OrderResolver } from './order.resolver';
import { ORDER_COMMANDS, OrderService } from './order.service';

/** Orders over GraphQL (DESIGN §3, §12). */
@Module({
  providers: [
    {
      provide: ORDER_COMMANDS,
      useFactory: (store: EventStore) => new CommandHandler(store, orderDecider, { upcasters: orderUpcasters }),
      inject: [EVENT_STORE],
    },
    OrderService,
    OrderResolver,
  ],
  exports: [OrderService],
})
export class OrdersModule {}
