import { ComplianceArchiveHttpController } from './compliance-archive.http-controller';
import { ComplianceExportsHttpController } from './compliance-exports.http-controller';
import { ComplianceHoldsHttpController } from './compliance-holds.http-controller';
import { ComplianceOfficersHttpController } from './compliance-officers.http-controller';
import { ComplianceOfficersService } from './compliance-officers.service';
import { CompliancePullHttpController } from './compliance-pull.http-controller';

/** The compliance officers' REST API (the WeCom-style msgaudit pull is under wecom/). */
export const COMPLIANCE_CONTROLLERS = [
  ComplianceOfficersHttpController,
  ComplianceArchiveHttpController,
  ComplianceExportsHttpController,
  ComplianceHoldsHttpController,
  CompliancePullHttpController,
];

export const COMPLIANCE_PROVIDERS = [ComplianceOfficersService];
