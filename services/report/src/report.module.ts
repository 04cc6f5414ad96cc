import { Module } from '@nestjs/common';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';
import { REPORT_TRANSFER_STEPS, ReportTransferStep } from './offboarding/report-transfer-step';
import { ReportTransfersService } from './offboarding/report-transfers.service';

// No report feature assigns work to members yet; each one that does adds its step here.
const transferSteps: ReportTransferStep[] = [];

@Module({
  controllers: [CallerGrpcController],
  providers: [ReportTransfersService, OffboardingConsumer, { provide: REPORT_TRANSFER_STEPS, useValue: transferSteps }],
})
export class ReportModule {}
