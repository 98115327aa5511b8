// The extension's build: the offscreen page is the entry; public/ (manifest, service worker, models) is copied as is.
export default {
  build: { rollupOptions: { input: { offscreen: 'offscreen.html' } } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
};
