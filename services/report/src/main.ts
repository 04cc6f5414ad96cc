import 'reflect-metadata';
import { serviceMain } from '@atrium/platform';
import { loadReportConfig } from './config';
import { reportService } from './report.service-definition';

void serviceMain(
  'report',
  () => loadReportConfig(),
  () => reportService(),
);
