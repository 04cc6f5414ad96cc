import { approvalV1, auditV1, directoryV1, messagingV1, protoPathFor, reportV1 } from '@atrium/contracts';
import { CallerIdentity, GrpcServiceClient, SERVICE_ROLE } from '@atrium/platform';
import { GatewayConfig } from '../config';

/** The gateway acting on its own behalf (login, token refresh), not as a user. */
export const GATEWAY_IDENTITY: CallerIdentity = { corpId: '', userId: 'service:gateway', roles: [SERVICE_ROLE] };

export class ServiceClients {
  readonly directory: GrpcServiceClient<directoryV1.DirectoryServiceClient>;
  readonly messaging: GrpcServiceClient<messagingV1.MessagingServiceClient>;
  readonly approval: GrpcServiceClient<approvalV1.ApprovalServiceClient>;
  readonly report: GrpcServiceClient<reportV1.ReportServiceClient>;
  readonly audit: GrpcServiceClient<auditV1.AuditServiceClient>;

  constructor(config: GatewayConfig) {
    const common = { caller: 'gateway', identityKey: config.ATRIUM_IDENTITY_KEY };
    this.directory = new GrpcServiceClient(
      { ...common, url: config.DIRECTORY_GRPC_URL, packageName: 'atrium.directory.v1', protoPath: protoPathFor('directory') },
      directoryV1.DIRECTORY_SERVICE_NAME,
    );
    this.messaging = new GrpcServiceClient(
      { ...common, url: config.MESSAGING_GRPC_URL, packageName: 'atrium.messaging.v1', protoPath: protoPathFor('messaging') },
      messagingV1.MESSAGING_SERVICE_NAME,
    );
    this.approval = new GrpcServiceClient(
      { ...common, url: config.APPROVAL_GRPC_URL, packageName: 'atrium.approval.v1', protoPath: protoPathFor('approval') },
      approvalV1.APPROVAL_SERVICE_NAME,
    );
    this.report = new GrpcServiceClient(
      { ...common, url: config.REPORT_GRPC_URL, packageName: 'atrium.report.v1', protoPath: protoPathFor('report') },
      reportV1.REPORT_SERVICE_NAME,
    );
    this.audit = new GrpcServiceClient(
      { ...common, url: config.AUDIT_GRPC_URL, packageName: 'atrium.audit.v1', protoPath: protoPathFor('audit') },
      auditV1.AUDIT_SERVICE_NAME,
    );
  }

  all(): Record<'directory' | 'messaging' | 'approval' | 'report' | 'audit', GrpcServiceClient<object>> {
    return { directory: this.directory, messaging: this.messaging, approval: this.approval, report: this.report, audit: this.audit };
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.all()).map((client) => client.close()));
  }
}
