export { gatewayService } from './gateway.service-definition';
export { loadGatewayConfig, type GatewayConfig } from './config';
