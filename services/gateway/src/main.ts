import 'reflect-metadata';
import { serviceMain } from '@atrium/platform';
import { loadGatewayConfig } from './config';
import { gatewayService } from './gateway.service-definition';

void serviceMain(
  'gateway',
  () => loadGatewayConfig(),
  (config) => gatewayService(config),
);
