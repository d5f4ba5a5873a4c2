// `pnpm dev`: minigate on its development defaults, the local database
// created and migrated, the WeChat simulator standing in for WeChat.
import { createDatabase, createDatabaseIfMissing, DatabaseUnreachableError, describeDatabaseUrl, migrateToLatest } from '@minigate/db';
import { startWeChatSimulator } from '@minigate/wechat-sim';
import { startBrowserPreview } from '../../minigame/dev/preview-server.js';
import { ConfigError, loadConfigFromEnvironment, loadDevelopmentSetup } from './config.js';
import { startServer } from './start-server.js';

async function main(): Promise<void> {
  // The simulator is never started in production: loadDevelopmentSetup refuses it.
  const setup = loadDevelopmentSetup();
  const config = loadConfigFromEnvironment(setup.defaults);

  const created = await createDatabaseIfMissing(config.databaseUrl);
  const db = createDatabase(config.databaseUrl, { connectionLimit: 1 });
  const applied = await migrateToLatest(db).finally(() => db.destroy());
  console.log(
    `database ${describeDatabaseUrl(config.databaseUrl)}: ${created ? 'created' : 'found'}; ` +
      `${applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date'}`,
  );

  const simulator = setup.simulator
    ? await startWeChatSimulator({ ...setup.simulator, apps: config.wechat.apps.map(({ appid, secret }) => ({ appid, secret })) })
    : null;

  await startServer(config, { onClose: async () => simulator?.close() });

  const api = `http://${config.host}:${config.port}`;
  console.log(`\nminigate is running (development mode): ${api}/trpc   health: ${api}/healthz`);
  if (!simulator) {
    console.log(`WeChat: ${config.wechat.apiBase} (appid ${config.wechat.appid})`);
    return;
  }
  console.log(`WeChat simulator: ${simulator.url} (appid ${config.wechat.appid})\n`);
  console.log('Try it: a code for simulated player "alice", a login, then a protected call:\n');
  console.log(`CODE=$(curl -s '${simulator.url}/sim/login?player=alice&format=text')`);
  console.log(
    `TOKEN=$(curl -s -X POST ${api}/trpc/auth.wechatLogin -H 'content-type: application/json' -d "{\\"code\\":\\"$CODE\\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
  );
  console.log(`curl -s ${api}/trpc/account.me -H "authorization: Bearer $TOKEN"\n`);

  // The sample game (apps/minigame) in a browser page, over the simulator: development only.
  const preview = await startBrowserPreview({
    host: config.host,
    serverUrl: `${api}/trpc`,
    simulatorUrl: simulator.url,
    appid: config.wechat.appid,
  }).catch((error: unknown) =>
    console.warn(`The sample game's browser preview did not start: ${error instanceof Error ? error.message : String(error)}`),
  );
  if (preview) console.log(`The sample game in a browser (development preview, not WeChat): ${preview.url}?player=alice\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseUnreachableError) console.error(error.message);
  else console.error('minigate failed to start:', error);
  process.exit(1);
});
