#!/usr/bin/env bash
# Builds what the GPU machine needs into .tmp/gpu-carry (git-ignored, ~40 MB; a device run carries at most 64 MiB):
#   bin/node.xz            this machine's node 20, stripped (the GPU machine has no node)
#   webgpu/                npm `webgpu@0.6.2` (Dawn): index.js + dawn.node.xz   (installed in a temp dir, not in package.json)
#   ort/                   onnxruntime-web 1.30 dist: ort.min.mjs + the JSEP wasm (what the library loads)
#   debs/                  Debian 12 Vulkan loader + the X/GL libraries NVIDIA's Vulkan ICD needs
#   gpu-bench.mjs          bench/gpu/gpu-bench.ts bundled (the engine's SentenceEncoder + Coalescer, tokenizer)
#   make-model.mjs         the minilm-l6 generator bundled (the fp32 model itself is 87 MB: generated there in ~3 s)
#   model/                 config.json, tokenizer.json, tokenizer_config.json
# Usage: bash bench/gpu/prepare.sh   (then see bench/gpu/README.md)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${CARRY:-$ROOT/.tmp/gpu-carry}"
rm -rf "$C"; mkdir -p "$C"/{bin,webgpu,ort,debs,model}
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

echo "[prepare] webgpu@0.6.2 (Dawn) from npm into a temp dir"
(cd "$T" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts --silent webgpu@0.6.2)
cp "$T"/node_modules/webgpu/{index.js,LICENSE.md} "$C/webgpu/"
sed -i "s|^const dawnNodePath = .*|const dawnNodePath = process.env.DAWN_NODE_PATH \|\| join(__dirname, 'dawn.node');|" "$C/webgpu/index.js"
echo '{"name":"webgpu","version":"0.6.2","type":"module","main":"index.js"}' > "$C/webgpu/package.json"
xz -T2 -6 -c "$T/node_modules/webgpu/dist/linux-x64/dawn.node" > "$C/webgpu/dawn.node.xz" &

echo "[prepare] node $(node --version), stripped"
strip -o "$T/node" "$(command -v node)"
xz -T2 -6 -c "$T/node" > "$C/bin/node.xz" &

D="$ROOT/node_modules/onnxruntime-web/dist"
cp "$D/ort.min.mjs" "$D/ort-wasm-simd-threaded.jsep.mjs" "$C/ort/"
xz -T2 -6 -c "$D/ort-wasm-simd-threaded.jsep.wasm" > "$C/ort/ort-wasm-simd-threaded.jsep.wasm.xz" &

echo "[prepare] Debian Vulkan loader and GL/X libraries"
(cd "$C/debs" && apt-get download libvulkan1 libegl1 libglvnd0 libxext6 libx11-6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 libglx0 libgl1 libstdc++6 >/dev/null \
  && for f in *%3a*; do [ -e "$f" ] && mv "$f" "${f//%3a/_}"; done; true)

echo "[prepare] bundling bench/gpu/gpu-bench.ts and the model generator"
cd "$ROOT"
npx --no-install esbuild bench/gpu/gpu-bench.ts --bundle --platform=node --format=esm --target=node20 --external:webgpu \
  --outfile="$C/gpu-bench.mjs" --log-level=warning
npx --no-install esbuild bench/gpu/make-model.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$C/make-model.mjs" --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
cp public/models/minilm-l6/{config.json,tokenizer.json,tokenizer_config.json} "$C/model/"
wait
echo "[prepare] $(du -sh "$C" | cut -f1) in $C"
