import { Module } from '@nestjs/common';
import { CallerGrpcController } from './caller/caller.grpc-controller';
import { APPROVAL_TRANSFER_STEPS, ApprovalTransferStep } from './offboarding/approval-transfer-step';
import { ApprovalTransfersService } from './offboarding/approval-transfers.service';
import { OffboardingConsumer } from './offboarding/offboarding.consumer';

// No approval feature assigns work to members yet; each one that does adds its step here.
const transferSteps: ApprovalTransferStep[] = [];

@Module({
  controllers: [CallerGrpcController],
  providers: [ApprovalTransfersService, OffboardingConsumer, { provide: APPROVAL_TRANSFER_STEPS, useValue: transferSteps }],
})
export class ApprovalModule {}
