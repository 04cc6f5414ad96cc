import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { KEY_PROVIDER } from '../audit.tokens';
import { ArchiveRepository } from '../archive/archive.repository';
import { AccessControl } from '../compliance/access-control.service';
import { KeyProvider } from '../crypto/key-provider';
import { CheckpointService } from './checkpoint.service';
import { CheckpointsRepository, StoredCheckpoint } from './checkpoints.repository';
import { verifyChain, VerifyReport } from './verify-chain';

@Injectable()
export class IntegrityService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(KEY_PROVIDER) private readonly provider: KeyProvider,
    private readonly access: AccessControl,
    private readonly archive: ArchiveRepository,
    private readonly checkpointStore: CheckpointsRepository,
    private readonly checkpoints: CheckpointService,
  ) {}

  /** Without authorisation: for jobs and the CLI, which run with the database's trust. */
  async verifyCorp(corpId: string): Promise<VerifyReport> {
    return verifyChain(this.db, corpId, await this.provider.signingPublicKeyPem(), this.archive, this.checkpointStore);
  }

  async verify(caller: CallerIdentity): Promise<VerifyReport> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.verifyCorp(caller.corpId);
  }

  async checkpoint(caller: CallerIdentity): Promise<StoredCheckpoint | undefined> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.checkpoints.checkpoint(caller.corpId);
  }

  async exportCheckpoints(caller: CallerIdentity): Promise<string> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.checkpoints.export(caller.corpId);
  }
}
