import { Inject, Injectable } from '@nestjs/common';
import { CorpCreated } from '@atrium/contracts';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { KnownCorpsService } from './known-corps.service';

/** `directory.corp.created` (group `gateway.corps`): the corp codes the WeCom API accepts as corpid. */
@Injectable()
export class KnownCorpsConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly corps: KnownCorpsService,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'gateway.corps',
      events: [CorpCreated],
      handle: (tx, { payload: { corpId, code, name } }) => this.corps.learn(tx, { corpId, code, name }),
    });
  }
}
