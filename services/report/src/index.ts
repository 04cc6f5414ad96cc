export { reportService } from './report.service-definition';
export { loadReportConfig, type ReportConfig } from './config';
