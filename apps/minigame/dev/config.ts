// The sample game's settings, read from the environment once (the only file
// of apps/minigame that does): the server URL baked into game.js at build
// time, and the port of the browser preview that `pnpm dev` serves.

export interface MinigameConfig {
  /** The tRPC endpoint game.js calls: MINIGAME_SERVER_URL, default http://127.0.0.1:3000/trpc. */
  serverUrl: string;
  /** The browser preview's port beside `pnpm dev`: MINIGAME_PREVIEW_PORT, default 3002. */
  previewPort: number;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:3000/trpc';

export function loadMinigameConfig(env: Record<string, string | undefined> = process.env): MinigameConfig {
  const problems: string[] = [];
  const serverUrl = env.MINIGAME_SERVER_URL || DEFAULT_SERVER_URL;
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(serverUrl))
    problems.push(`MINIGAME_SERVER_URL: an http(s) URL of the tRPC endpoint, e.g. ${DEFAULT_SERVER_URL}`);
  const previewPort = Number(env.MINIGAME_PREVIEW_PORT || 3002);
  if (!Number.isInteger(previewPort) || previewPort < 1 || previewPort > 65535) problems.push('MINIGAME_PREVIEW_PORT: a port number, 1 to 65535');
  if (problems.length > 0) throw new Error(`Bad settings for the sample game: ${problems.join('; ')}`);
  return { serverUrl: serverUrl.replace(/\/$/, ''), previewPort };
}
