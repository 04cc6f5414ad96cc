import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { TagsService } from './tags.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class TagsGrpcController {
  constructor(private readonly tags: TagsService) {}

  @GrpcMethod(SERVICE, 'CreateTag')
  async createTag(r: directoryV1.CreateTagRequest): Promise<directoryV1.CreateTagResponse> {
    return { tag: await this.tags.create(currentCaller(), r.name, r.id || undefined) };
  }

  @GrpcMethod(SERVICE, 'SetTagTargets')
  async setTagTargets(r: directoryV1.SetTagTargetsRequest): Promise<directoryV1.SetTagTargetsResponse> {
    return { tag: await this.tags.setTargets(currentCaller(), r.id, r.userids, r.departmentIds) };
  }

  @GrpcMethod(SERVICE, 'ListTags')
  async listTags(): Promise<directoryV1.ListTagsResponse> {
    return { tags: await this.tags.list(currentCaller()) };
  }
}
