/** The part of a pino-style logger the services use. */
export interface ServiceLogger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}
