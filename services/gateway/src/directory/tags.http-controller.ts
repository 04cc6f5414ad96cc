import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';
import { TagIdParam } from '../http/params';
import { toTagResponse } from './directory.mapper';
import { CreateTagRequest, SetTagTargetsRequest, TagListResponse, TagResponse } from './dto/tag.dto';

/** Named sets of members and departments (writes: super admins). */
@AuthenticatedApi('directory', { notFound: false })
@Controller('api/v1/directory/tags')
export class TagsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post()
  @ApiCreatedResponse({ type: TagResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'ALREADY_EXISTS' })
  async create(@Body() body: CreateTagRequest): Promise<TagResponse> {
    return toTagResponse(
      (await this.clients.directory.call('CreateTag', (d, md) => d.createTag({ name: body.name, id: body.id ?? 0 }, md))).tag,
    );
  }

  /** Replaces the tag's members and departments. */
  @Put(':id/targets')
  @ApiOkResponse({ type: TagResponse })
  @ApiResponse({ status: 404, type: ErrorResponse })
  async setTargets(@Param() { id }: TagIdParam, @Body() body: SetTagTargetsRequest): Promise<TagResponse> {
    const request = { id, userids: body.userids, departmentIds: body.departmentIds };
    return toTagResponse((await this.clients.directory.call('SetTagTargets', (d, md) => d.setTagTargets(request, md))).tag);
  }

  @Get()
  @ApiOkResponse({ type: TagListResponse })
  async list(): Promise<TagListResponse> {
    return { tags: (await this.clients.directory.call('ListTags', (d, md) => d.listTags({}, md))).tags.map(toTagResponse) };
  }
}
