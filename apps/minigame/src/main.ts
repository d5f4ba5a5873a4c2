// game.js: what WeChat, Douyin and QQ run. The server URL is set when the game is built
// (MINIGAME_SERVER_URL, default http://127.0.0.1:3000/trpc).
import { startGame } from './game.js';

declare const __MINIGAME_SERVER_URL__: string;
// Douyin's tt and QQ's qq: the game calls them with wx's shapes (minigame-api-typings types them all).
declare const tt: WechatMinigame.Wx | undefined;
declare const qq: WechatMinigame.Wx | undefined;

// The runtime the game runs on: Douyin's, QQ's (which keeps a wx too), else WeChat's.
const runtime = typeof tt !== 'undefined' && tt ? tt : typeof qq !== 'undefined' && qq ? qq : wx;
const game = startGame({ wx: runtime, canvas: runtime.createCanvas(), serverUrl: __MINIGAME_SERVER_URL__ });
// For the browser preview's status line and for tests: the game's state.
GameGlobal.minigame = game;
