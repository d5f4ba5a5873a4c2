// The development preview's wx: a small wx of our own over a real canvas, so
// the sample game's game.js runs in a browser page. NOT WeChat: it covers the
// calls the sample game makes, and no more.
// - wx.request goes over fetch, through the preview server (which forwards it
//   to the minigate server: the page has no CORS to lean on);
// - wx.login asks the simulator for a code (/sim/login?player=…&format=text);
// - ?runtime=tt or ?runtime=qq makes it Douyin's tt or QQ's qq instead (no wx then): the appid from
//   tt.getEnvInfoSync or qq.getAccountInfoSync, tt.login's anonymousCode from /sim/anonymous
//   (the player is logged in to Douyin, so a code comes too);
// - wx.createUserInfoButton is a DOM button; the user info comes from the simulator;
// - storage is localStorage (one namespace per player);
// - wx.createCanvas gives the page's canvas; wx.onTouchStart listens to pointer events.

type Callback = ((result: never) => void) | undefined;
interface CallbackOptions {
  success?: Callback;
  fail?: Callback;
  complete?: Callback;
}

const search = new URLSearchParams(location.search);
const player = search.get('player') || 'alice';
const runtime = search.get('runtime') === 'tt' || search.get('runtime') === 'qq' ? (search.get('runtime') as 'tt' | 'qq') : 'wx';
const appid = (window as unknown as { __MINIGATE_PREVIEW__?: { apps: Record<string, string | undefined> } }).__MINIGATE_PREVIEW__?.apps[runtime];
const screenCanvas = document.getElementById('screen') as HTMLCanvasElement;
const storagePrefix = runtime === 'wx' ? `minigate-preview:${player}:` : `minigate-preview:${runtime}:${player}:`;
let screenGiven = false;

/** success/fail/complete as wx calls them; a promise when none is given. */
function settle<T extends object>(options: CallbackOptions, work: Promise<T>, api: string): Promise<T> | undefined {
  const outcome = work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: { errMsg: `${api}:fail ${error instanceof Error ? error.message : String(error)}` } }),
  );
  if (!options.success && !options.fail && !options.complete) {
    return outcome.then((result) => (result.ok ? result.value : Promise.reject(result.error)));
  }
  void outcome.then((result) => {
    const call = (callback: Callback, value: unknown) => (callback as ((value: unknown) => void) | undefined)?.(value);
    if (result.ok) call(options.success, result.value);
    else call(options.fail, result.error);
    call(options.complete, result.ok ? result.value : result.error);
  });
  return undefined;
}

async function answerOf(response: Response): Promise<Response> {
  if (!response.ok) throw new Error(`the preview server answered ${response.status}: ${await response.text()}`);
  return response;
}

function windowInfo() {
  const box = screenCanvas.getBoundingClientRect();
  return {
    windowWidth: Math.round(box.width),
    windowHeight: Math.round(box.height),
    screenWidth: Math.round(box.width),
    screenHeight: Math.round(box.height),
    pixelRatio: window.devicePixelRatio || 1,
    statusBarHeight: 0,
    safeArea: {
      left: 0,
      top: 0,
      right: Math.round(box.width),
      bottom: Math.round(box.height),
      width: Math.round(box.width),
      height: Math.round(box.height),
    },
  };
}

interface RequestOptions extends CallbackOptions {
  url: string;
  method?: string;
  data?: unknown;
  header?: Record<string, string>;
  dataType?: string;
  timeout?: number;
}

interface UserInfoButtonOptions {
  type?: 'text' | 'image';
  text?: string;
  withCredentials?: boolean;
  style?: {
    left: number;
    top: number;
    width: number;
    height: number;
    backgroundColor?: string;
    color?: string;
    fontSize?: number;
    borderColor?: string;
    borderWidth?: number;
  };
}

const wx = {
  createCanvas(): HTMLCanvasElement {
    if (screenGiven) return document.createElement('canvas');
    screenGiven = true;
    return screenCanvas;
  },
  getWindowInfo: windowInfo,
  getSystemInfoSync: () => ({ ...windowInfo(), platform: 'devtools', brand: 'minigate preview', model: 'browser', system: navigator.userAgent }),

  onTouchStart(listener: (event: unknown) => void): void {
    screenCanvas.addEventListener('pointerdown', (event) => {
      const box = screenCanvas.getBoundingClientRect();
      const touch = {
        identifier: event.pointerId,
        clientX: event.clientX - box.left,
        clientY: event.clientY - box.top,
        pageX: event.clientX - box.left,
        pageY: event.clientY - box.top,
        force: 1,
      };
      listener({ touches: [touch], changedTouches: [touch], timeStamp: event.timeStamp });
    });
  },

  login(options: CallbackOptions & { timeout?: number; force?: boolean } = {}) {
    const codeOf = (kind: 'login' | 'anonymous') =>
      fetch(`/__wx/${kind}?player=${encodeURIComponent(player)}&runtime=${runtime}`)
        .then(answerOf)
        .then((response) => response.text())
        .then((code) => code.trim());
    const work =
      runtime === 'tt'
        ? Promise.all([codeOf('login'), codeOf('anonymous')]).then(([code, anonymousCode]) => ({
            code,
            anonymousCode,
            isLogin: true,
            errMsg: 'login:ok',
          }))
        : codeOf('login').then((code) => ({ code, errMsg: 'login:ok' }));
    return settle(options, work, 'login');
  },
  // Where the runtime tells the game its appid (none when the preview was given none).
  ...(appid && runtime === 'tt' ? { getEnvInfoSync: () => ({ microapp: { appId: appid, envType: 'preview', mpVersion: '' } }) } : {}),
  ...(appid && runtime !== 'tt' ? { getAccountInfoSync: () => ({ miniProgram: { appId: appid, envVersion: 'develop', version: '' } }) } : {}),

  request(options: RequestOptions) {
    const controller = new AbortController();
    let failure: string | null = null;
    const timer = setTimeout(() => {
      failure = 'timeout';
      controller.abort();
    }, options.timeout ?? 60_000);
    const work = fetch('/__wx/request', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: options.url, method: options.method ?? 'GET', header: options.header ?? {}, data: options.data }),
      signal: controller.signal,
    })
      .then(answerOf)
      .then((response) => response.json() as Promise<{ statusCode: number; header: Record<string, string>; data: string }>)
      .then((answer) => {
        let data: unknown = answer.data;
        if ((options.dataType ?? 'json') === 'json') {
          try {
            data = JSON.parse(answer.data);
          } catch {
            // wx leaves a body that is not JSON as the string it was.
          }
        }
        return { data, statusCode: answer.statusCode, header: answer.header, cookies: [], errMsg: 'request:ok' };
      })
      .catch((error: unknown) => {
        throw new Error(failure ?? (controller.signal.aborted ? 'abort' : error instanceof Error ? error.message : String(error)));
      })
      .finally(() => clearTimeout(timer));
    settle(options, work, 'request')?.catch(() => undefined);
    return {
      abort() {
        controller.abort();
      },
    };
  },

  getStorageSync(key: string): unknown {
    const raw = localStorage.getItem(storagePrefix + key);
    return raw === null ? '' : JSON.parse(raw);
  },
  setStorageSync(key: string, data: unknown): void {
    localStorage.setItem(storagePrefix + key, JSON.stringify(data));
  },
  removeStorageSync(key: string): void {
    localStorage.removeItem(storagePrefix + key);
  },
  clearStorageSync(): void {
    for (const key of Object.keys(localStorage)) if (key.startsWith(storagePrefix)) localStorage.removeItem(key);
  },

  createUserInfoButton(options: UserInfoButtonOptions) {
    const element = document.createElement('button');
    element.className = 'wx-user-info-button';
    element.textContent = options.text ?? '';
    const style = options.style;
    if (style) {
      Object.assign(element.style, {
        left: `${style.left}px`,
        top: `${style.top}px`,
        width: `${style.width}px`,
        height: `${style.height}px`,
        background: style.backgroundColor ?? 'transparent',
        color: style.color ?? '#fff',
        fontSize: `${style.fontSize ?? 16}px`,
        border: `${style.borderWidth ?? 0}px solid ${style.borderColor ?? 'transparent'}`,
      });
    }
    (screenCanvas.parentElement ?? document.body).appendChild(element);
    let listeners: Array<(result: unknown) => void> = [];
    element.addEventListener('click', () => {
      const work = fetch('/__wx/userinfo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ player }) })
        .then(answerOf)
        .then((response) => response.json() as Promise<Record<string, unknown>>)
        .then((info) => ({
          userInfo: info.userInfo,
          rawData: info.rawData,
          errMsg: 'getUserInfo:ok',
          ...(options.withCredentials === false ? {} : { signature: info.signature, encryptedData: info.encryptedData, iv: info.iv }),
        }))
        .catch((error: unknown) => ({ errMsg: `getUserInfo:fail ${error instanceof Error ? error.message : String(error)}` }));
      void work.then((result) => {
        for (const listener of [...listeners]) listener(result);
      });
    });
    return {
      show: () => void (element.style.display = ''),
      hide: () => void (element.style.display = 'none'),
      destroy: () => element.remove(),
      onTap: (listener: (result: unknown) => void) => void listeners.push(listener),
      offTap: (listener?: (result: unknown) => void) => void (listeners = listener ? listeners.filter((other) => other !== listener) : []),
    };
  },
};

interface PreviewGame {
  state: {
    phase: string;
    status: string;
    nickName: string;
    accountId: number | null;
    level: number | null;
    onlineSeconds: number | null;
    score: number;
  };
  onChange(listener: (state: PreviewGame['state']) => void): void;
}

const page = window as unknown as Record<'wx' | 'tt' | 'qq', typeof wx> & { GameGlobal: unknown; minigame?: PreviewGame };
page[runtime] = wx;
page.GameGlobal = window;

// The page mirrors the game's state in text (for people and for tests): the canvas stays the game's.
window.addEventListener('load', () => {
  const game = page.minigame;
  const status = document.getElementById('status');
  const playerLine = document.getElementById('player');
  if (!game || !status || !playerLine) return;
  const show = (state: PreviewGame['state']) => {
    document.body.dataset.phase = state.phase;
    status.textContent = state.status;
    const name = state.accountId === null ? '' : state.nickName || `Player #${state.accountId}`;
    playerLine.textContent =
      name && `${name} · Lv. ${state.level ?? '?'}${state.onlineSeconds === null ? '' : ` · online ${state.onlineSeconds} s`} · score ${state.score}`;
  };
  game.onChange(show);
  show(game.state);
});
document.getElementById('player-name')?.setAttribute('value', player);
