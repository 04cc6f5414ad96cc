import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@atrium/platform';
import { AccessTokenClaims } from '../auth/access-tokens';
import { AuthenticatedGuard } from '../auth/authenticated.guard';
import { Caller } from '../auth/caller.decorator';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';
import { renderWatermark } from './watermark';

class WatermarkResponse {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: "The corp's template filled in for this member; clients draw it over chat screens" }) text!: string;
  @ApiProperty({ description: 'Placeholders {name}, {userid}, {employee_no}, {date}' }) template!: string;
}

class MeResponse {
  @ApiProperty() corpId!: string;
  @ApiProperty() userid!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['active', 'disabled', 'offboarded'] }) status!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ type: WatermarkResponse, description: "The corp's watermark policy, rendered for this member" })
  watermark!: WatermarkResponse;
}

const STATUS = ['unspecified', 'active', 'disabled', 'offboarded'];

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(AuthenticatedGuard)
@Controller('api/v1/me')
export class MeHttpController {
  constructor(private readonly clients: ServiceClients) {}

  /** The signed-in member, read from the directory as that member. */
  @Get()
  @ApiOkResponse({ type: MeResponse })
  @ApiResponse({ status: 401, type: ErrorResponse })
  async me(@Caller() caller: AccessTokenClaims): Promise<MeResponse> {
    const [{ member }, { policy }] = await Promise.all([
      this.clients.directory.call('GetMember', (directory, metadata) => directory.getMember({ userid: caller.userId }, metadata)),
      this.clients.messaging.call('GetCorpPolicy', (messaging, metadata) => messaging.getCorpPolicy({}, metadata)),
    ]);
    if (!member) throw new DomainError('NOT_FOUND', 'member not found');
    return {
      corpId: member.corpId,
      userid: member.userid,
      name: member.name,
      status: STATUS[member.status] ?? 'unspecified',
      roles: member.roles,
      watermark: renderWatermark(policy ?? { watermarkEnabled: false, watermarkTemplate: '' }, member, new Date()),
    };
  }
}
