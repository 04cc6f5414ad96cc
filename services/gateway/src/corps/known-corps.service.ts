import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { AppCredentialsService } from '../apps/app-credentials.service';
import { KnownCorp, KnownCorpsRepository } from './known-corps.repository';

@Injectable()
export class KnownCorpsService {
  constructor(
    private readonly corps: KnownCorpsRepository,
    private readonly credentials: AppCredentialsService,
  ) {}

  /** A corp was created or one of its members signed in: remember its code, seed its sync secret and app. */
  async learn(tx: Tx, corp: KnownCorp): Promise<void> {
    await this.corps.remember(tx, corp);
    await this.credentials.seedSyncSecret(tx, corp);
    await this.credentials.seedApp(tx, corp);
  }
}
