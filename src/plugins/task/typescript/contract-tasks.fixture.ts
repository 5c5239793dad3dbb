import { getAbortSignal, getParameter, setParameter } from "/work/main/src/sdk/task-api.ts";
export function echo() { setParameter({ echoed: getParameter('value') }); }
export function print() { console.log('hello stdout'); console.error('hello stderr'); }
export function fail() { throw new Error('failing on purpose'); }
export function sleep() { return new Promise((resolve) => { const timer = setTimeout(resolve, 30_000); getAbortSignal().addEventListener('abort', () => { clearTimeout(timer); resolve(undefined); }); }); }