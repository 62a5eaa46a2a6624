export { ACTIONS, digitOf, isColorKey, isDirection } from './actions.js';
export type { Action, ColorKey, Direction } from './actions.js';
export {
  KEY_NAME_ACTIONS, PLATFORM_KEYCODES, VK_ACTIONS, detectPlatform, keyEnvFrom, readVkTable, resolveKey,
} from './key-map.js';
export type { KeyEnv, KeyLike, KeyResolution, KeySource, Platform } from './key-map.js';
export { KeyInput, REPEAT_INTERVAL_MS, keyInput } from './key-input.js';
export type { KeyListener, KeyPress } from './key-input.js';
export { exitApp, requestRemoteKeys } from './platform.js';
