// `pnpm dev`: minigate on its development defaults, the local database
// created and migrated, the WeChat simulator standing in for WeChat.
import { createOperatorAccount } from '@minigate/api';
import {
  countOperators,
  createDatabase,
  createDatabaseIfMissing,
  DatabaseUnreachableError,
  describeDatabaseUrl,
  migrateToLatest,
} from '@minigate/db';
import { startWeChatSimulator } from '@minigate/wechat-sim';
import { startBrowserPreview } from '../../minigame/dev/preview-server.js';
import { ConfigError, loadConfigFromEnvironment, loadDevelopmentSetup } from './config.js';
import { startServer } from './start-server.js';

/** pnpm dev's first operator of the console, made when there is none (development only). */
const DEV_OPERATOR = { name: 'admin', role: 'admin', password: 'minigate-dev' };

async function main(): Promise<void> {
  // The simulator is never started in production: loadDevelopmentSetup refuses it.
  const setup = loadDevelopmentSetup();
  const config = loadConfigFromEnvironment(setup.defaults);

  const created = await createDatabaseIfMissing(config.databaseUrl);
  const db = createDatabase(config.databaseUrl, { connectionLimit: 1 });
  const applied = await migrateToLatest(db);
  // The console's first operator, for development only.
  const operator = config.console.enabled && (await countOperators(db)) === 0 ? await createOperatorAccount(db, DEV_OPERATOR) : null;
  await db.destroy();
  console.log(
    `database ${describeDatabaseUrl(config.databaseUrl)}: ${created ? 'created' : 'found'}; ` +
      `${applied.length ? `applied ${applied.join(', ')}` : 'migrations up to date'}`,
  );

  const simulator = setup.simulator
    ? await startWeChatSimulator({
        ...setup.simulator,
        // A studio's games share one open platform account per platform: their unionids join.
        apps: config.apps.map(({ appid, secret, platform, pay }) => ({
          appid,
          secret,
          platform,
          openPlatform: 'minigate-dev',
          // A game that takes payments: the simulated phone's purchases are pushed to this server, resent until answered.
          ...(pay
            ? {
                pay: {
                  offerId: pay.offerId,
                  appKey: pay.appKey,
                  sandboxAppKey: pay.sandboxAppKey ?? pay.appKey,
                  zoneId: pay.zoneId,
                  pushUrl: `http://${config.host}:${config.port}/push/${appid}`,
                  pushToken: pay.pushToken,
                  ...(pay.pushAesKey ? { pushAesKey: pay.pushAesKey } : {}),
                },
              }
            : {}),
        })),
        pushAutoRetry: true,
      })
    : null;

  await startServer(config, { onClose: async () => simulator?.close() });

  const api = `http://${config.host}:${config.port}`;
  console.log(`\nminigate is running (development mode): ${api}/trpc   health: ${api}/healthz`);
  if (config.console.enabled) {
    console.log(
      `Operator console: ${api}/console/${operator === null ? '' : `  (operator ${DEV_OPERATOR.name}, password ${DEV_OPERATOR.password}: made just now)`}`,
    );
  }
  const games = config.apps.map((app) => `${app.platform} ${app.appid}`).join(', ');
  if (!simulator) {
    console.log(`Games: ${games}`);
    return;
  }
  const [first] = config.apps;
  console.log(`Platform simulator (WeChat, Douyin, QQ): ${simulator.url}\nGames: ${games}\n`);
  console.log(`Try it: a code for simulated player "alice" in ${first!.appid}, a login, then a protected call:\n`);
  console.log(`CODE=$(curl -s '${simulator.url}/sim/login?player=alice&appid=${first!.appid}&format=text')`);
  console.log(
    `TOKEN=$(curl -s -X POST ${api}/trpc/auth.login -H 'content-type: application/json' -d "{\\"appid\\":\\"${first!.appid}\\",\\"code\\":\\"$CODE\\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
  );
  console.log(`curl -s ${api}/trpc/account.me -H "authorization: Bearer $TOKEN"\n`);

  // The sample game (apps/minigame) in a browser page, over the simulator: development only.
  const wechatApp = config.wechat.app;
  if (!wechatApp) return;
  const douyinApp = config.apps.find((app) => app.platform === 'douyin');
  const qqApp = config.apps.find((app) => app.platform === 'qq');
  const preview = await startBrowserPreview({
    host: config.host,
    serverUrl: `${api}/trpc`,
    simulatorUrl: simulator.url,
    appid: wechatApp.appid,
    // The first Douyin and QQ games play under ?runtime=tt and ?runtime=qq.
    apps: {
      ...(douyinApp ? { tt: douyinApp.appid } : {}),
      ...(qqApp ? { qq: qqApp.appid } : {}),
    },
  }).catch((error: unknown) =>
    console.warn(`The sample game's browser preview did not start: ${error instanceof Error ? error.message : String(error)}`),
  );
  if (preview) {
    console.log(`The sample game in a browser (development preview, not WeChat): ${preview.url}?player=alice`);
    if (douyinApp) console.log(`  as on Douyin: ${preview.url}?player=alice&runtime=tt`);
    if (qqApp) console.log(`  as on QQ: ${preview.url}?player=alice&runtime=qq`);
    console.log('');
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseUnreachableError) console.error(error.message);
  else console.error('minigate failed to start:', error);
  process.exit(1);
});
