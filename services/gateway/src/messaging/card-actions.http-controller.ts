import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ErrorResponse } from '../http/error.response';
import { MessageSeqParam } from './dto/conversation.dto';
import {
  CardStateResponse,
  ClickCardButtonRequest,
  ClickCardButtonResponse,
  RespondToScheduleRequest,
  SetTodoDoneRequest,
} from './dto/card.dto';

const parse = (json: string) => JSON.parse(json) as Record<string, unknown>;

/**
 * Acting on card messages: answering a schedule, marking a todo, clicking a template card's button.
 * Every viewer of the conversation sees the change live as a `card` WebSocket frame.
 */
@AuthenticatedApi('messaging', {
  forbidden: 'FORBIDDEN: details.reason NOT_AN_ATTENDEE, NOT_AN_ASSIGNEE or NOT_THE_SENDER',
  notFound: 'NOT_FOUND: no such conversation (or you are not in it) or message',
})
@ApiResponse({
  status: 412,
  type: ErrorResponse,
  description:
    'PRECONDITION_FAILED: details.reason NOT_A_CARD, WRONG_CARD_TYPE, CARD_GONE (recalled, group dissolved) or CARD_BUTTONS_CLOSED',
})
@Controller('api/v1/conversations/:id/messages/:seq/card')
export class CardActionsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Get()
  @ApiOkResponse({ type: CardStateResponse })
  async state(@Param() { id, seq }: MessageSeqParam): Promise<CardStateResponse> {
    const { cardStateJson } = await this.clients.messaging.call('GetCardState', (m, md) => m.getCardState({ conversationId: id, seq }, md));
    return { card: parse(cardStateJson) };
  }

  /** Attendees only; answering again changes the answer. */
  @Post('schedule')
  @HttpCode(200)
  @ApiOkResponse({ type: CardStateResponse })
  async respondToSchedule(@Param() { id, seq }: MessageSeqParam, @Body() b: RespondToScheduleRequest): Promise<CardStateResponse> {
    const { cardStateJson } = await this.clients.messaging.call('RespondToSchedule', (m, md) =>
      m.respondToSchedule({ conversationId: id, seq, response: b.response }, md),
    );
    return { card: parse(cardStateJson) };
  }

  /** Assignees for themselves; the sender with `forAll` for everyone. */
  @Post('todo')
  @HttpCode(200)
  @ApiOkResponse({ type: CardStateResponse })
  async setTodoDone(@Param() { id, seq }: MessageSeqParam, @Body() b: SetTodoDoneRequest): Promise<CardStateResponse> {
    const { cardStateJson } = await this.clients.messaging.call('SetTodoDone', (m, md) =>
      m.setTodoDone({ conversationId: id, seq, done: b.done, forAll: b.forAll ?? false }, md),
    );
    return { card: parse(cardStateJson) };
  }

  /** Once per member; a repeat of the same key is a no-op (recorded: false), another key is 409 ALREADY_CLICKED. */
  @Post('click')
  @HttpCode(200)
  @ApiOkResponse({ type: ClickCardButtonResponse })
  @ApiResponse({
    status: 409,
    type: ErrorResponse,
    description: 'ALREADY_EXISTS: details.reason ALREADY_CLICKED (you chose another button)',
  })
  async click(@Param() { id, seq }: MessageSeqParam, @Body() b: ClickCardButtonRequest): Promise<ClickCardButtonResponse> {
    const { cardStateJson, recorded } = await this.clients.messaging.call('ClickCardButton', (m, md) =>
      m.clickCardButton({ conversationId: id, seq, key: b.key }, md),
    );
    return { card: parse(cardStateJson), recorded };
  }
}
