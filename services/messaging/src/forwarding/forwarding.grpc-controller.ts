import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toWire } from '../messages/message-snapshot';
import { ForwardingService } from './forwarding.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class ForwardingGrpcController {
  constructor(private readonly forwarding: ForwardingService) {}

  @GrpcMethod(SERVICE, 'ForwardMessages')
  async forwardMessages(r: messagingV1.ForwardMessagesRequest): Promise<messagingV1.ForwardMessagesResponse> {
    const { messages, created } = await this.forwarding.forward(currentCaller(), r);
    return { messages: messages.map(toWire), created };
  }
}
