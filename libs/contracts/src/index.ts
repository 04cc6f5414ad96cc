export * from './events';
export * as directoryV1 from './gen/atrium/directory/v1/directory';
export * as messagingV1 from './gen/atrium/messaging/v1/messaging';
export * as approvalV1 from './gen/atrium/approval/v1/approval';
export * as reportV1 from './gen/atrium/report/v1/report';
export * as auditV1 from './gen/atrium/audit/v1/audit';
export * as healthV1 from './gen/grpc/health/v1/health';
export { PROTO_ROOT, protoPathFor } from './proto-path';
export * from './realtime';
