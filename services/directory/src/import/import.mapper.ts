import { directoryV1 } from '@atrium/contracts';
import { ImportJob } from './import-job';

/** A job failure is not a row's fault: it is reported as an error on line 0. */
export function toImportJobMessage(job: ImportJob): directoryV1.ImportJob {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    mode: job.mode,
    totalRows: job.totalRows,
    processedRows: job.processedRows,
    errorCount: job.errorCount + (job.failure ? 1 : 0),
    errors: [...(job.failure ? [{ line: 0, field: '', reason: job.failure }] : []), ...job.errors],
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt ? job.finishedAt.toISOString() : '',
    createdBy: job.createdBy,
  };
}
