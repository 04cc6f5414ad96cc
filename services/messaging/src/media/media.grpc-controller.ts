import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toMediaMessage } from './media.mapper';
import { MediaService } from './media.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class MediaGrpcController {
  constructor(private readonly media: MediaService) {}

  @GrpcMethod(SERVICE, 'RegisterMedia')
  async registerMedia(r: messagingV1.RegisterMediaRequest): Promise<messagingV1.RegisterMediaResponse> {
    return { media: toMediaMessage(await this.media.register(currentCaller(), r)) };
  }

  @GrpcMethod(SERVICE, 'AuthorizeMediaRead')
  async authorizeMediaRead(r: messagingV1.AuthorizeMediaReadRequest): Promise<messagingV1.AuthorizeMediaReadResponse> {
    const media = await this.media.authorizeRead(currentCaller(), r.mediaId);
    return { media: toMediaMessage(media), storageKey: media.storageKey };
  }
}
