// The extension's build: its two pages are the entries; public/ (manifest, service worker, models) is copied as is.
export default {
  build: { rollupOptions: { input: { offscreen: 'offscreen.html', popup: 'popup.html' } } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
};
