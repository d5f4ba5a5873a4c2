export { createClient, type ClientOptions, type MinigateClient } from './create-client.js';
export { MinigateNetworkError } from './wx-fetch.js';
export type { MinigameWx, WxRequestOptions, WxRequestSuccess } from './minigame-wx.js';
export type { AppRouter, LoginAnswer, AccountSummary, AccountView, ErrorReason, MinigateErrorShape } from '@minigate/api';
export { TRPCClientError } from '@trpc/client';
