import { Inject, Injectable } from '@nestjs/common';
import { EVENT_BUS, EventBus } from '@atrium/platform';
import { DEPARTMENT_GROUP_EVENTS } from './department-group-events';
import { FeatureWorkers } from '../features/feature-workers.service';
import { DepartmentGroupsService } from './department-groups.service';

/**
 * On directory member and department changes (group `messaging.department-groups`): marks the
 * department groups they may have changed for a resync, in the consumer's transaction (a replay
 * marks nothing twice), then wakes the resync worker.
 */
@Injectable()
export class DepartmentGroupsConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly groups: DepartmentGroupsService,
    private readonly workers: FeatureWorkers,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'messaging.department-groups',
      events: DEPARTMENT_GROUP_EVENTS,
      handle: async (tx, event) => {
        await this.groups.onDirectoryEvent(tx, event);
        this.workers.nudgeResync();
      },
    });
  }
}
