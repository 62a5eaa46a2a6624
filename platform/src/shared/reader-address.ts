/**
 * Where a page finds the reader driver: loopback, this port, this path (protocol version 1,
 * reader-driver/src/ws/protocol.ts). The driver's config, the platform's launcher and the TV
 * page's config read it from here. Pure data: the browser imports it too.
 */
export const DEFAULT_READER_PORT = 24780;

/** The WebSocket path of the protocol version (`/v${PROTOCOL_VERSION}`; protocol.ts checks they agree). */
export const READER_WS_PATH = '/v1' as const;

/** The driver's WebSocket URL on this machine. */
export const readerUrl = (port: number): string => `ws://127.0.0.1:${port}${READER_WS_PATH}`;
