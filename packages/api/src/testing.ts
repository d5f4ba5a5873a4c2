// @minigate/api/testing: the parts the tests build by hand (a login service over a clock of their own,
// tokens signed as the server signs them). The server builds them through createApi.
export { createAccessTokens, keyIdOf } from './access-tokens.js';
export { createAtRestCipher } from './at-rest-cipher.js';
export { MinigateError } from './errors.js';
export { createLoginService } from './services/login-service.js';
export { createServedApps, type GameAppCredentials } from './apps/served-apps.js';
export { createDatabaseLoginCodeCache } from './stores/login-code/mysql.js';
