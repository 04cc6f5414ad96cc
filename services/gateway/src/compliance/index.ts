import { ComplianceArchiveHttpController } from './compliance-archive.http-controller';
import { ComplianceExportsHttpController } from './compliance-exports.http-controller';
import { ComplianceHoldsHttpController } from './compliance-holds.http-controller';
import { ComplianceOfficersHttpController } from './compliance-officers.http-controller';
import { ComplianceOfficersService } from './compliance-officers.service';
import { CompliancePullHttpController } from './compliance-pull.http-controller';
import { MsgauditHttpController } from './msgaudit.http-controller';
import { MsgauditService } from './msgaudit.service';

/** The compliance officers' REST API and the WeCom-style msgaudit pull (before the /cgi-bin fallback). */
export const COMPLIANCE_CONTROLLERS = [
  ComplianceOfficersHttpController,
  ComplianceArchiveHttpController,
  ComplianceExportsHttpController,
  ComplianceHoldsHttpController,
  CompliancePullHttpController,
  MsgauditHttpController,
];

export const COMPLIANCE_PROVIDERS = [MsgauditService, ComplianceOfficersService];
