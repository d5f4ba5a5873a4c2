// The API runs on Node: its types come along wherever its router type is imported (the client, the game),
// whose own settings name only their runtime's globals.
/// <reference types="node" />
// What a server needs (createApi, the router, how a failed call answers) and what a client imports (types only).
export { createApi, type Api } from './create-api.js';
export { appRouter, type AppRouter } from './router.js';
export { retryAfterSeconds, type ErrorReason } from './errors.js';
export { formatError, type MinigateErrorShape } from './error-shape.js';
export type { LoginAnswer, AccountSummary, AccountView } from './services/views.js';
export type { RateLimits, RateLimitName } from './rate-limits.js';
export type { ServiceLogger } from './services/service-logger.js';
export { createAdminService } from './services/admin-service.js';
export { createOrderAdmin, type OrderAdmin } from './payments/order-admin.js';
export type { PushAnswer, PushReceiver } from './payments/push-receiver.js';
export type { PaySettings, Product, ProductGrants } from './payments/pay-settings.js';
// Cloud saves.
export type { StorageSettings } from './storage/storage-settings.js';
export type { JsonValue, ProgressView, StorageExportView, StorageObjectView, StorageWriteView } from './storage/views.js';
export { createMailAdmin, type MailAdmin, type OperatorMail } from './mail/mail-admin.js';
// Leaderboards: what a game's configuration declares.
export { leaderboardListSchema, type LeaderboardDefinition } from './leaderboards/definitions.js';
// The operator console: its router's type (the page imports it) and what the HTTP layer hands a request over as.
export type { ConsoleRouter } from './console/console-router.js';
export type { ConsoleRequest } from './console/console-context.js';
export { OPERATOR_ROLES, createOperatorAccount } from './console/operator-auth.js';
