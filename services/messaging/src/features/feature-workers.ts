import { INestApplication } from '@nestjs/common';
import { DepartmentGroupsConsumer } from '../department-groups/department-groups.consumer';
import { FeatureWorkers } from './feature-workers.service';

/** Started with the service: the directory consumer of department groups and the periodic jobs. */
export async function startFeatureWorkers(app: INestApplication): Promise<void> {
  await app.get(DepartmentGroupsConsumer).start();
  app.get(FeatureWorkers).start();
}
