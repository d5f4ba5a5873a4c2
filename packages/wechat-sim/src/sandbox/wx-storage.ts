import { settle, type CallbackOptions } from './wx-callbacks.js';

/** wx's storage calls, sync and async, over one map (structured clones in and out, as wx does). */
export function createWxStorage(storage: Map<string, unknown>) {
  const api = {
    setStorageSync(key: string, data: unknown) {
      storage.set(key, structuredClone(data));
    },
    getStorageSync(key: string) {
      return storage.has(key) ? structuredClone(storage.get(key)) : '';
    },
    removeStorageSync(key: string) {
      storage.delete(key);
    },
    clearStorageSync() {
      storage.clear();
    },
    setStorage(params: CallbackOptions & { key: string; data: unknown }) {
      return settle(
        params,
        Promise.resolve().then(() => (api.setStorageSync(params.key, params.data), { errMsg: 'setStorage:ok' })),
        (e) => ({ errMsg: `setStorage:fail ${e.message}` }),
      );
    },
    getStorage(params: CallbackOptions & { key: string }) {
      const work = Promise.resolve().then(() => {
        if (!storage.has(params.key)) throw new Error('data not found');
        return { data: api.getStorageSync(params.key), errMsg: 'getStorage:ok' };
      });
      return settle(params, work, (e) => ({ errMsg: `getStorage:fail ${e.message}` }));
    },
    removeStorage(params: CallbackOptions & { key: string }) {
      return settle(
        params,
        Promise.resolve().then(() => (api.removeStorageSync(params.key), { errMsg: 'removeStorage:ok' })),
        (e) => ({ errMsg: `removeStorage:fail ${e.message}` }),
      );
    },
  };
  return api;
}
