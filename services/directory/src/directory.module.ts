import { Module } from '@nestjs/common';
import { CorpsGrpcController } from './corps/corps.grpc-controller';
import { CorpsRepository } from './corps/corps.repository';
import { CorpsService } from './corps/corps.service';
import { MembersGrpcController } from './members/members.grpc-controller';
import { MembersRepository } from './members/members.repository';
import { MembersService } from './members/members.service';
import { PasswordHasher } from './members/password-hasher';

@Module({
  controllers: [CorpsGrpcController, MembersGrpcController],
  providers: [CorpsService, MembersService, CorpsRepository, MembersRepository, PasswordHasher],
})
export class DirectoryModule {}
