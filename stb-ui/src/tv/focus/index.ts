export { findNext, isBeyond, score, unionRect } from './geometry.js';
export type { Candidate, Rect } from './geometry.js';
export { FocusTree, ROOT } from './focus-tree.js';
export type { EnterTo, FocusChangeListener, FocusNodeOptions, FocusNodeSpec, RectSource } from './focus-tree.js';
export { FOCUSED_ATTRIBUTE, FocusService, KEY_ATTRIBUTE, focusService } from './focus-service.js';
export type { FocusMovedDetail, RegisterOptions } from './focus-service.js';
export { FocusController } from './focus-controller.js';
