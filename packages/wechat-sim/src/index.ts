export {
  SIMULATED_ENDPOINTS,
  startWeChatSimulator,
  type SimulatedApp,
  type SimulatedContentRule,
  type SimulatedEndpoint,
  type SimulatedFault,
  type SimulatedPhone,
  type SimulatedPlatform,
  type SimulatedProfile,
  type SimulatedRequest,
  type SimulatedUserInfo,
  type SessionKeyRotation,
  type WeChatSimulator,
  type WeChatSimulatorOptions,
} from './wechat-simulator.js';
export {
  createMinigameSandbox,
  type LoginBehaviour,
  type MinigameSandbox,
  type MinigameSandboxOptions,
  type SandboxRequest,
  type UserInfoBehaviour,
} from './minigame-sandbox.js';
