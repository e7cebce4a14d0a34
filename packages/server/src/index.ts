export {
  ConfigError,
  type DatabaseConfig,
  type LogLevel,
  loadConfig,
  parseDatabaseUrl,
  type ServerConfig,
} from './config.js';
export {
  createServerContext,
  defaultAdapters,
  migrate,
  openStore,
  type ServerContext,
  type ServerContextOptions,
} from './context.js';
export type { LiveEvent } from './events.js';
export { builtInRoles, type Permission, permissions, type RoutePermission } from './permissions.js';
export {
  type App,
  type BuildServerOptions,
  buildServer,
  type ChatloomPluginOptions,
  type ChatloomServer,
  chatloomPlugin,
  maxWebhookBytes,
  type RouteInfo,
} from './server.js';
export {
  createSimulatorAdapter,
  type SimulatorInput,
  simulatorPlatform,
  simulatorWebhook,
} from './simulator.js';
