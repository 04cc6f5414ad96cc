import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toCorpMessage, toMemberMessage } from '../members/member.mapper';
import { CorpsService } from './corps.service';

@Controller()
export class CorpsGrpcController {
  constructor(private readonly corps: CorpsService) {}

  @GrpcMethod(directoryV1.DIRECTORY_SERVICE_NAME, 'CreateCorp')
  async createCorp(request: directoryV1.CreateCorpRequest): Promise<directoryV1.CreateCorpResponse> {
    const { corp, admin } = await this.corps.createCorp(currentCaller(), request);
    return { corp: toCorpMessage(corp), admin: toMemberMessage(admin) };
  }

  @GrpcMethod(directoryV1.DIRECTORY_SERVICE_NAME, 'ListCorps')
  async listCorps(): Promise<directoryV1.ListCorpsResponse> {
    return { corps: (await this.corps.listCorps(currentCaller())).map(toCorpMessage) };
  }
}
