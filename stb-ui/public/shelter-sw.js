// The shelter tablet's service worker: the page must open again with the network down (a reload
// while offline keeps working from IndexedDB). It keeps the page and the files it loads, answers
// from the network when it can and from its copy when not. API calls are never touched: the
// outbox decides what to do when they fail.
const CACHE = 'shelter-page-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch('/shelter/', { cache: 'no-store' });
    const text = await page.clone().text();
    await cache.put('/shelter/', page);
    // The page's own files (hashed names, so they are fetched once and never change).
    const files = [...text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    await cache.addAll(files);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname === '/healthz') return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const fresh = await fetch(event.request);
      if (fresh.ok) await cache.put(url.pathname === '/shelter/' || url.pathname === '/shelter/index.html' ? '/shelter/' : event.request, fresh.clone());
      return fresh;
    } catch (err) {
      const kept = (await cache.match(event.request, { ignoreSearch: true })) ?? (event.request.mode === 'navigate' ? await cache.match('/shelter/') : undefined);
      if (kept) return kept;
      throw err;
    }
  })());
});
