import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@atrium/platform';
import { AccessTokenClaims } from '../auth/access-tokens';
import { AuthenticatedGuard } from '../auth/authenticated.guard';
import { Caller } from '../auth/caller.decorator';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';

class MeResponse {
  @ApiProperty() corpId!: string;
  @ApiProperty() userid!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['active', 'disabled', 'offboarded'] }) status!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
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
    const { member } = await this.clients.directory.call('GetMember', (directory, metadata) =>
      directory.getMember({ userid: caller.userId }, metadata),
    );
    if (!member) throw new DomainError('NOT_FOUND', 'member not found');
    return {
      corpId: member.corpId,
      userid: member.userid,
      name: member.name,
      status: STATUS[member.status] ?? 'unspecified',
      roles: member.roles,
    };
  }
}
