import 'reflect-metadata';
import { serviceMain } from '@atrium/platform';
import { loadDirectoryConfig } from './config';
import { directoryService } from './directory.service-definition';

void serviceMain(
  'directory',
  () => loadDirectoryConfig(),
  () => directoryService(),
);
