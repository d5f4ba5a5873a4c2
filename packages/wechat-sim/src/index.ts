export {
  startWeChatSimulator,
  type SimulatedApp,
  type SimulatedFault,
  type WeChatSimulator,
  type WeChatSimulatorOptions,
} from './wechat-simulator.js';
export {
  createMinigameSandbox,
  type LoginBehaviour,
  type MinigameSandbox,
  type MinigameSandboxOptions,
  type SandboxRequest,
} from './minigame-sandbox.js';
