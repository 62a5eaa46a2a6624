import { fileURLToPath } from 'node:url';

/**
 * The six J-LIS root certificates (sign/auth × generations 01–03), public and pinned by the
 * SHA-256 of their DER (SPEC §5). They are the production trust store; nothing else is trusted.
 */
export const PRODUCTION_ROOTS = [
  { generation: 'signca01', purpose: 'sign', file: 'jpki-signca01-2015.pem', sha256: '19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355' },
  { generation: 'signca02', purpose: 'sign', file: 'jpki-signca02-2019.pem', sha256: '79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb' },
  { generation: 'signca03', purpose: 'sign', file: 'jpki-signca03-2023.pem', sha256: 'd227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f' },
  { generation: 'authca01', purpose: 'auth', file: 'jpki-authca01-2015.pem', sha256: '4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d' },
  { generation: 'authca02', purpose: 'auth', file: 'jpki-authca02-2019.pem', sha256: '0d98de47fc11b7f67126874b7028b6026a803d2638d6edfe53176953961fade6' },
  { generation: 'authca03', purpose: 'auth', file: 'jpki-authca03-2023.pem', sha256: '64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5' },
] as const;

/** Folder holding the PEM files above. */
export const PRODUCTION_ROOTS_DIR = fileURLToPath(new URL('.', import.meta.url));
