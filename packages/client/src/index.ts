export { createClient, type ClientOptions, type LoginOptions, type LoginResult, type MinigateClient } from './create-client.js';
export { MinigatePaymentError, paymentErrorOf, type PaymentErrorKind } from './payment-error.js';
export type { BuyItemInput, DeliveryWaitOptions, Order, Payments } from './payments.js';
export { MinigateNetworkError, networkErrorOf, type NetworkErrorKind } from './network-error.js';
export { CLIENT_VERSION } from './version.js';
export type { MidasPaymentFailure, MinigameRuntime, MinigameWx, WxRequestOptions, WxRequestSuccess } from './minigame-wx.js';
export type { RuntimeName } from './runtime.js';
export type { AppRouter, LoginAnswer, AccountSummary, AccountView, ErrorReason, MinigateErrorShape } from '@minigate/api';
export { TRPCClientError } from '@trpc/client';
