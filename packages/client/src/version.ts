// Replaced by the build with the version in packages/client/package.json.
declare const __MINIGATE_CLIENT_VERSION__: string | undefined;

/** This client's version (packages/client/package.json), sent to the server as the `x-minigate-client` header. */
export const CLIENT_VERSION: string = typeof __MINIGATE_CLIENT_VERSION__ === 'string' ? __MINIGATE_CLIENT_VERSION__ : '0.0.0-dev';
