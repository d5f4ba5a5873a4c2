// game.js: what WeChat runs. The server URL is set when the game is built
// (MINIGAME_SERVER_URL, default http://127.0.0.1:3000/trpc).
import { startGame } from './game.js';

declare const __MINIGAME_SERVER_URL__: string;

const game = startGame({ wx, canvas: wx.createCanvas(), serverUrl: __MINIGAME_SERVER_URL__ });
// For the browser preview's status line and for tests: the game's state.
GameGlobal.minigame = game;
