import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';

export class RespondToScheduleRequest {
  @ApiProperty({ enum: ['accepted', 'declined', 'tentative'] })
  @IsIn(['accepted', 'declined', 'tentative'])
  response!: 'accepted' | 'declined' | 'tentative';
}

export class SetTodoDoneRequest {
  @ApiProperty()
  @IsBoolean()
  done!: boolean;

  @ApiPropertyOptional({ description: "The card's sender only: every assignee at once" })
  @IsOptional()
  @IsBoolean()
  forAll?: boolean;
}

export class ClickCardButtonRequest {
  @ApiProperty({ description: 'The key of one of the buttons the card shows you', example: 'approve' })
  @IsString()
  @Length(1, 64)
  key!: string;
}

const CARD_STATE_DESCRIPTION =
  "The card's state: {cardType, version, updatedAt, ...}; schedule_card adds responses {userid: {response, at}} and counts " +
  '{accepted, declined, tentative, pending}; todo_card adds assignees {userid: {done, at, by}}, doneCount, total; template_card adds ' +
  'clickCounts {key: n} and appState (what the sending app set for everyone: {replaceName} or {card}). `mine` is your own view: ' +
  'attendee/response, assignee/done, or clicked, appState and the buttons you can click.';

export class CardStateResponse {
  @ApiProperty({ type: 'object', additionalProperties: true, description: CARD_STATE_DESCRIPTION })
  card!: Record<string, unknown>;
}

export class ClickCardButtonResponse extends CardStateResponse {
  @ApiProperty({ description: 'false: you had clicked this button before; nothing changed' })
  recorded!: boolean;
}
