// The consumer's whole Vite config: the two headers threaded WASM needs (README "Use it in your Vite app").
export default {
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  preview: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
};
