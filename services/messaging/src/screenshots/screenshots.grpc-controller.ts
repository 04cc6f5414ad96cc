import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toWire } from '../messages/message-snapshot';
import { ScreenshotsService } from './screenshots.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class ScreenshotsGrpcController {
  constructor(private readonly screenshots: ScreenshotsService) {}

  @GrpcMethod(SERVICE, 'ReportScreenshot')
  async reportScreenshot(r: messagingV1.ReportScreenshotRequest): Promise<messagingV1.ReportScreenshotResponse> {
    const { message, created } = await this.screenshots.report(currentCaller(), r.conversationId, r.clientMsgId);
    return { message: toWire(message), created };
  }
}
