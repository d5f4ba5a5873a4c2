export type Callback = ((result: unknown) => void) | undefined;

/** The success/fail/complete callbacks of a wx call. */
export interface CallbackOptions {
  success?: Callback;
  fail?: Callback;
  complete?: Callback;
}

/** Calls success/fail/complete the way wx does, or returns a promise when none is given. */
export function settle<T>(options: CallbackOptions, work: Promise<T>, failure: (error: Error) => { errMsg: string }): Promise<T> | undefined {
  const hasCallbacks = Boolean(options.success || options.fail || options.complete);
  const outcome = work.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error: failure(error) }),
  );
  if (!hasCallbacks) {
    return outcome.then((result) => (result.ok ? result.value : Promise.reject(result.error)));
  }
  void outcome.then((result) => {
    if (result.ok) options.success?.(result.value);
    else options.fail?.(result.error);
    options.complete?.(result.ok ? result.value : result.error);
  });
  return undefined;
}
