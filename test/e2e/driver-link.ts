import type { Page, WebSocketRoute } from '@playwright/test';

/**
 * The TV page's link to the reader driver, routed through the test, which can cut it as it dies
 * in the field: `cut()` closes every link and refuses new ones until `up` is set again;
 * `loseSignAnswer` loses the answer to the next `sign` (a PIN sent) and drops the link with it —
 * the driver takes the answer as delivered — while new links pass (a short drop).
 */
export async function routeDriverLink(page: Page) {
  const open = new Set<WebSocketRoute>();
  const link = {
    up: true,
    loseSignAnswer: false,
    /** Whether an answer to a `sign` was lost so. */
    answerLost: false,
    /** Ids of the `sign` requests the page sent. */
    signs: [] as string[],
    async cut() {
      link.up = false;
      for (const ws of open) await ws.close();
    },
  };
  await page.routeWebSocket(/\/v1$/, (ws) => {
    if (!link.up) return void ws.close();
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((message) => {
      const request = JSON.parse(String(message)) as { id?: string; cmd?: string };
      if (request.cmd === 'sign' && request.id) link.signs.push(request.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { re?: string | null };
      if (link.loseSignAnswer && typeof answer.re === 'string' && link.signs.includes(answer.re)) {
        link.loseSignAnswer = false;
        link.answerLost = true;
        server.close();
        void ws.close();
        return;
      }
      ws.send(message);
    });
    ws.onClose(() => {
      open.delete(ws);
      server.close();
    });
  });
  return link;
}
