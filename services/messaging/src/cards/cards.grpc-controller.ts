import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { CardsService } from './cards.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class CardsGrpcController {
  constructor(private readonly cards: CardsService) {}

  @GrpcMethod(SERVICE, 'RespondToSchedule')
  async respondToSchedule(r: messagingV1.RespondToScheduleRequest): Promise<messagingV1.RespondToScheduleResponse> {
    return { cardStateJson: JSON.stringify(await this.cards.respondToSchedule(currentCaller(), r.conversationId, r.seq, r.response)) };
  }

  @GrpcMethod(SERVICE, 'SetTodoDone')
  async setTodoDone(r: messagingV1.SetTodoDoneRequest): Promise<messagingV1.SetTodoDoneResponse> {
    return { cardStateJson: JSON.stringify(await this.cards.setTodoDone(currentCaller(), r.conversationId, r.seq, r.done, r.forAll)) };
  }

  @GrpcMethod(SERVICE, 'ClickCardButton')
  async clickCardButton(r: messagingV1.ClickCardButtonRequest): Promise<messagingV1.ClickCardButtonResponse> {
    const { view, recorded } = await this.cards.click(currentCaller(), r.conversationId, r.seq, r.key);
    return { cardStateJson: JSON.stringify(view), recorded };
  }

  @GrpcMethod(SERVICE, 'UpdateTemplateCard')
  updateTemplateCard(r: messagingV1.UpdateTemplateCardRequest): Promise<messagingV1.UpdateTemplateCardResponse> {
    return this.cards.updateTemplateCard(currentCaller(), r);
  }

  @GrpcMethod(SERVICE, 'GetCardState')
  async getCardState(r: messagingV1.GetCardStateRequest): Promise<messagingV1.GetCardStateResponse> {
    return { cardStateJson: JSON.stringify(await this.cards.state(currentCaller(), r.conversationId, r.seq)) };
  }
}
