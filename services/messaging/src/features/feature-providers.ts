import { Provider, Type } from '@nestjs/common';
import { BurnRepository } from '../burn/burn.repository';
import { BurnService } from '../burn/burn.service';
import { DepartmentGroupsConsumer } from '../department-groups/department-groups.consumer';
import { DepartmentGroupsGrpcController } from '../department-groups/department-groups.grpc-controller';
import { DepartmentGroupsRepository } from '../department-groups/department-groups.repository';
import { DepartmentGroupsService } from '../department-groups/department-groups.service';
import { ForwardingGrpcController } from '../forwarding/forwarding.grpc-controller';
import { ForwardingService } from '../forwarding/forwarding.service';
import { RetentionRepository } from '../retention/retention.repository';
import { RetentionService } from '../retention/retention.service';
import { ScreenshotNoticesRepository } from '../screenshots/screenshot-notices.repository';
import { ScreenshotsGrpcController } from '../screenshots/screenshots.grpc-controller';
import { ScreenshotsService } from '../screenshots/screenshots.service';
import { FeatureWorkers } from './feature-workers.service';
import { JobLockRepository } from './job-lock.repository';

/** Burn after reading, screenshot notices, forwarding, retention and department groups. */
export const FEATURE_CONTROLLERS: Type[] = [ScreenshotsGrpcController, ForwardingGrpcController, DepartmentGroupsGrpcController];

export const FEATURE_PROVIDERS: Provider[] = [
  JobLockRepository,
  BurnRepository,
  BurnService,
  ScreenshotNoticesRepository,
  ScreenshotsService,
  ForwardingService,
  RetentionRepository,
  RetentionService,
  DepartmentGroupsRepository,
  DepartmentGroupsService,
  DepartmentGroupsConsumer,
  FeatureWorkers,
];
