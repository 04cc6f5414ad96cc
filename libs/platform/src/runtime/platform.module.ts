import { DynamicModule, Global, Module } from '@nestjs/common';
import { Infrastructure } from './infrastructure';
import { DATA_SOURCE, EVENT_BUS, INFRA, KV_STORE, LOGGER, PUBSUB, TRANSACTIONS } from './tokens';
import { ReadinessService } from './readiness.service';

@Global()
@Module({})
export class PlatformModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: INFRA, useValue: infra },
        { provide: LOGGER, useValue: infra.logger },
        { provide: TRANSACTIONS, useValue: infra.transactions },
        { provide: EVENT_BUS, useValue: infra.bus },
        { provide: PUBSUB, useValue: infra.pubsub },
        { provide: DATA_SOURCE, useValue: infra.dataSource },
        { provide: KV_STORE, useValue: infra.kv },
        ReadinessService,
      ],
      exports: [INFRA, LOGGER, TRANSACTIONS, EVENT_BUS, PUBSUB, DATA_SOURCE, KV_STORE, ReadinessService],
    };
  }
}
