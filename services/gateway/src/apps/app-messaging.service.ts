import { Inject, Injectable } from '@nestjs/common';
import { messagingV1 } from '@atrium/contracts';
import { CallerIdentity, DomainError, NotFoundError, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import { Addressing, AppAudience, Audience } from './app-audience';
import { AppCredentialsRepository, OpenApiApp } from './app-credentials.repository';

export interface AppMessage {
  type: string;
  content: Record<string, unknown>;
}

export interface DuplicateCheck {
  enabled: boolean;
  /** Seconds; 0: messaging's default. */
  interval: number;
}

export interface AppChatInput {
  chatid: string;
  name: string;
  owner: string;
  userids: string[];
}

export interface AppChatChanges {
  name?: string;
  owner?: string;
  addUserids: string[];
  removeUserids: string[];
}

/**
 * What an app does through the gateway: its sends are addressed within its visible range (the
 * gateway owns apps and asks the directory who that is); messaging stores and delivers them under
 * the app's own signed identity.
 */
@Injectable()
export class AppMessagingService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly apps: AppCredentialsRepository,
    private readonly audience: AppAudience,
    private readonly clients: ServiceClients,
  ) {}

  /** Sends to the addressed members the app sees; nothing is sent when that is nobody. */
  async send(
    caller: CallerIdentity,
    agentid: number,
    addressing: Addressing,
    message: AppMessage,
    duplicateCheck: DuplicateCheck,
  ): Promise<{ audience: Audience; sent?: messagingV1.SendAppMessageResponse }> {
    const app = await this.app(caller, agentid);
    const audience = await this.audience.resolve(caller, app.visibleRange, addressing);
    if (audience.userids.length === 0) return { audience };
    const request: messagingV1.SendAppMessageRequest = {
      userids: audience.userids,
      type: message.type,
      contentJson: JSON.stringify(message.content),
      appName: app.name,
      enableDuplicateCheck: duplicateCheck.enabled,
      duplicateCheckInterval: duplicateCheck.interval,
    };
    const sent = await this.clients.messaging.call('SendAppMessage', (m, md) => m.sendAppMessage(request, md), caller);
    return { audience, sent };
  }

  async recall(caller: CallerIdentity, msgid: string): Promise<void> {
    await this.clients.messaging.call('RecallAppMessage', (m, md) => m.recallAppMessage({ msgid }, md), caller);
  }

  async createChat(caller: CallerIdentity, agentid: number, input: AppChatInput): Promise<messagingV1.AppChat> {
    await this.requireVisible(caller, agentid, [...input.userids, input.owner].filter(Boolean), 'userids');
    const { chat } = await this.clients.messaging.call('CreateAppChat', (m, md) => m.createAppChat(input, md), caller);
    return this.present(chat);
  }

  async updateChat(caller: CallerIdentity, agentid: number, chatid: string, changes: AppChatChanges): Promise<messagingV1.AppChat> {
    await this.requireVisible(caller, agentid, changes.addUserids, 'add_userids');
    const request = { chatid, ...changes };
    const { chat } = await this.clients.messaging.call('UpdateAppChat', (m, md) => m.updateAppChat(request, md), caller);
    return this.present(chat);
  }

  async getChat(caller: CallerIdentity, chatid: string): Promise<messagingV1.AppChat> {
    const { chat } = await this.clients.messaging.call('GetAppChat', (m, md) => m.getAppChat({ chatid }, md), caller);
    return this.present(chat);
  }

  async sendToChat(caller: CallerIdentity, chatid: string, message: AppMessage): Promise<void> {
    const request = { chatid, type: message.type, contentJson: JSON.stringify(message.content) };
    await this.clients.messaging.call('SendAppChatMessage', (m, md) => m.sendAppChatMessage(request, md), caller);
  }

  private async app(caller: CallerIdentity, agentid: number): Promise<OpenApiApp> {
    const app = await this.apps.findApp(this.transactions.manager, caller.corpId, agentid);
    if (!app) throw new NotFoundError(`app ${agentid}`, { field: 'agentid', agentid });
    return app;
  }

  /** Members of an app's chat must be members the app sees. */
  private async requireVisible(caller: CallerIdentity, agentid: number, userids: string[], field: string): Promise<void> {
    if (userids.length === 0) return;
    const app = await this.app(caller, agentid);
    const wanted = { all: false, userids: [...new Set(userids.map((u) => u.toLowerCase()))], departmentIds: [], tagIds: [] };
    const { invalidUserids } = await this.audience.resolve(caller, app.visibleRange, wanted);
    if (invalidUserids.length > 0)
      throw new DomainError('FORBIDDEN', `not in the app's visible range or not an active member: ${invalidUserids.join(', ')}`, {
        field,
        userids: invalidUserids,
      });
  }

  private present(chat: messagingV1.AppChat | undefined): messagingV1.AppChat {
    if (!chat) throw new DomainError('INTERNAL', 'messaging answered without a chat');
    return chat;
  }
}
