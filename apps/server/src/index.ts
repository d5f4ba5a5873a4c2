// For tests and tools that start the server in-process.
export { loadConfig, ConfigError, type Config } from './config.js';
export { createHttpServer } from './http-server.js';
export { wireApplication, type Application } from './wiring.js';
export { startServer } from './start-server.js';
export type { LogStream } from './logger.js';
