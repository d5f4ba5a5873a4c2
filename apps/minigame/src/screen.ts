import type { GameCanvas, GameState } from './game.js';

// The game's one screen: its layout in screen points (what a tap hits) and how a state is drawn on the canvas.

/** The 2D context calls the game makes: the same in WeChat, a browser and the test stub. */
interface Context2D {
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  font: string;
  textAlign: 'left' | 'center' | 'right';
  textBaseline: 'top' | 'middle' | 'alphabetic';
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  fillRect(x: number, y: number, width: number, height: number): void;
  strokeRect(x: number, y: number, width: number, height: number): void;
  fillText(text: string, x: number, y: number, maxWidth?: number): void;
  beginPath(): void;
  arc(x: number, y: number, radius: number, start: number, end: number): void;
  fill(): void;
  stroke(): void;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const COLORS = { background: '#12263a', card: '#1d3b57', accent: '#f2b134', text: '#f4f7fa', muted: '#9fb3c8', error: '#ff8a80' };

/** Where things are on the screen (in points), and how a state is drawn. */
export interface Screen {
  /** One point of a 375 × 667 screen, scaled to this one. */
  unit: number;
  circle: { x: number; y: number; radius: number };
  /** Buys the sample product (WeChat's virtual payment), between the circle and the heartbeat button. */
  buyButton: Rect;
  heartbeatButton: Rect;
  scoreButton: Rect;
  /** Where WeChat's user-info button (wx.createUserInfoButton) sits. */
  profileButton: Rect;
  draw(state: Readonly<GameState>): void;
}

/**
 * Sizes the canvas for the device's pixels and lays the screen out for its
 * size in points. `profileNote`, on a runtime without WeChat's profile
 * button, is written where the button would be; without `canBuy` (no
 * WeChat virtual payment), the buy button says so.
 */
export function createScreen(wx: WechatMinigame.Wx, canvas: GameCanvas, profileNote: string | null = null, canBuy = true): Screen {
  // Draw in screen points; the canvas holds device pixels for a sharp picture.
  const screen = typeof wx.getWindowInfo === 'function' ? wx.getWindowInfo() : wx.getSystemInfoSync();
  const width = screen.windowWidth || canvas.width;
  const height = screen.windowHeight || canvas.height;
  const ratio = screen.pixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d') as Context2D;

  const unit = Math.min(width / 375, height / 667);
  const buttonWidth = width * 0.8;
  const buttonHeight = 44 * unit;
  const left = (width - buttonWidth) / 2;
  const circle = { x: width / 2, y: height * 0.45, radius: Math.min(width, height) * 0.14 };
  const heartbeatButton: Rect = { x: left, y: height * 0.64, width: buttonWidth, height: buttonHeight };
  const buyButton: Rect = { x: left, y: heartbeatButton.y - buttonHeight * 1.3, width: buttonWidth, height: buttonHeight };
  const scoreButton: Rect = { x: left, y: heartbeatButton.y + buttonHeight * 1.3, width: buttonWidth, height: buttonHeight };
  const profileButton: Rect = { x: left, y: scoreButton.y + buttonHeight * 1.3, width: buttonWidth, height: buttonHeight };

  const font = (size: number, bold = false) => `${bold ? 'bold ' : ''}${Math.round(size * unit)}px sans-serif`;
  const text = (value: string, x: number, y: number, size: number, color: string, bold = false) => {
    context.font = font(size, bold);
    context.fillStyle = color;
    context.fillText(value, x, y, width * 0.9);
  };
  const button = (rect: Rect, label: string, enabled: boolean) => {
    context.fillStyle = enabled ? COLORS.accent : COLORS.card;
    context.fillRect(rect.x, rect.y, rect.width, rect.height);
    text(label, rect.x + rect.width / 2, rect.y + rect.height / 2, 17, enabled ? COLORS.background : COLORS.muted, true);
  };

  function draw(state: Readonly<GameState>): void {
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = COLORS.background;
    context.fillRect(0, 0, width, height);
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    text('minigate', width / 2, height * 0.09, 32, COLORS.accent, true);
    text('sample mini-game', width / 2, height * 0.09 + 30 * unit, 14, COLORS.muted);

    context.fillStyle = COLORS.card;
    context.fillRect(left, height * 0.17, buttonWidth, 92 * unit);
    const who = state.accountId === null ? '…' : state.nickName || `Player #${state.accountId}`;
    text(who, width / 2, height * 0.17 + 26 * unit, 22, COLORS.text, true);
    const level = state.level === null ? '' : `Lv. ${state.level}`;
    const online = state.onlineSeconds === null ? '' : `   online ${state.onlineSeconds} s`;
    text(`${level}${online}`, width / 2, height * 0.17 + 62 * unit, 15, COLORS.muted);

    context.fillStyle = COLORS.accent;
    context.beginPath();
    context.arc(circle.x, circle.y, circle.radius, 0, Math.PI * 2);
    context.fill();
    text(String(state.score), circle.x, circle.y - 8 * unit, 34, COLORS.background, true);
    text('TAP', circle.x, circle.y + 24 * unit, 14, COLORS.background, true);

    const ready = state.phase === 'ready';
    const gems = state.gems === null ? '' : ` (you have ${state.gems})`;
    button(buyButton, canBuy ? `Buy 60 gems${gems}` : 'Buying: WeChat only', ready && canBuy && !state.buying);
    button(heartbeatButton, 'Heartbeat', ready || state.phase === 'offline');
    button(scoreButton, state.submittedScore === null ? 'Submit score to friends' : `Submit score (last: ${state.submittedScore})`, ready);
    // The profile button itself is WeChat's (wx.createUserInfoButton) over this rectangle.
    context.strokeStyle = COLORS.accent;
    context.lineWidth = 2;
    context.strokeRect(profileButton.x, profileButton.y, profileButton.width, profileButton.height);
    if (profileNote) text(profileNote, width / 2, profileButton.y + profileButton.height / 2, 15, COLORS.muted);

    text(state.status, width / 2, height * 0.95, 13, state.phase === 'offline' ? COLORS.error : COLORS.muted);
  }

  return { unit, circle, buyButton, heartbeatButton, scoreButton, profileButton, draw };
}
