import type { Platform } from './key-map.js';

// Best-effort glue to the set-top box's own APIs. None of it exists in a desktop browser, so every
// call is guarded; what a given receiver really needs is checked on the device (TODO(tv-ui): verify
// on a Hybridcast receiver, an HbbTV TV and a Tizen TV).

interface OipfApplication {
  privateData?: { keyset?: { setValue(mask: number): void } };
  destroyApplication?(): void;
}
interface OipfAppManager extends HTMLElement { getOwnerApplication(doc: Document): OipfApplication | null }
interface TizenGlobal {
  tvinputdevice?: { registerKeyBatch?(keys: string[]): void; registerKey?(key: string): void };
  application?: { getCurrentApplication(): { exit(): void } };
}

// HbbTV keyset bits: RED 0x1, GREEN 0x2, YELLOW 0x4, BLUE 0x8, NAVIGATION 0x10, NUMERIC 0x100.
const HBBTV_KEYSET = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x100;
const TIZEN_KEYS = [
  'ColorF0Red', 'ColorF1Green', 'ColorF2Yellow', 'ColorF3Blue',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'Exit',
];

function oipfApplication(): OipfApplication | null {
  let manager = document.querySelector<OipfAppManager>('object[type="application/oipfApplicationManager"]');
  if (!manager) {
    manager = document.createElement('object') as unknown as OipfAppManager;
    manager.setAttribute('type', 'application/oipfApplicationManager');
    manager.style.cssText = 'position:absolute;width:0;height:0';
    document.body.append(manager);
  }
  return typeof manager.getOwnerApplication === 'function' ? manager.getOwnerApplication(document) : null;
}

/**
 * Asks the receiver to deliver the keys the app uses: colour keys, arrows, OK, Back and numbers.
 * HbbTV delivers none of them to an app until asked; Tizen only arrows, Enter and Back.
 */
export function requestRemoteKeys(platform: Platform): void {
  try {
    if (platform === 'hbbtv') oipfApplication()?.privateData?.keyset?.setValue(HBBTV_KEYSET);
    const tizen = (globalThis as { tizen?: TizenGlobal }).tizen;
    if (platform === 'tizen' && tizen?.tvinputdevice) {
      if (tizen.tvinputdevice.registerKeyBatch) tizen.tvinputdevice.registerKeyBatch(TIZEN_KEYS);
      else for (const key of TIZEN_KEYS) tizen.tvinputdevice.registerKey?.(key);
    }
  } catch {
    // A receiver without the API keeps its default keys; the key-test screen shows what arrives.
  }
}

/** Leaves the app the way the platform expects; in a desktop browser, closes the window if allowed. */
export function exitApp(platform: Platform): void {
  try {
    const tizen = (globalThis as { tizen?: TizenGlobal }).tizen;
    if (platform === 'tizen' && tizen?.application) return tizen.application.getCurrentApplication().exit();
    if (platform === 'hbbtv' || platform === 'hybridcast') {
      const app = oipfApplication();
      if (app?.destroyApplication) return app.destroyApplication();
    }
    const webOS = (globalThis as { webOS?: { platformBack?(): void } }).webOS;
    if (platform === 'webos' && webOS?.platformBack) return webOS.platformBack();
  } catch {
    // fall through to window.close()
  }
  window.close();
}
