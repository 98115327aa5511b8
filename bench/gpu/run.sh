#!/usr/bin/env bash
# Runs bench/gpu/gpu-bench on the GPU machine (no node, no network, no Vulkan loader there), from the repo root:
#   bash bench/gpu/run.sh [.tmp/gpu-carry]
# The carry folder comes from bench/gpu/prepare.sh. Writes $OUT/gpu-results.json (+ run.log) or .tmp/gpu-out/.
# Knobs (env): VARIANT=fp32 BATCHES=1,32,256,1024 CALLERS=1024,4096 SECS=3 SUSTAINED_SECS=10 REQUIRE_HW=1
# Unpacks node and Dawn, loads the Vulkan loader and picks the NVIDIA ICD (see bench/gpu/README.md).
set -u
T0=$(date +%s)
C="$(cd "${1:-.tmp/gpu-carry}" && pwd)"
OUTD="${OUT:-$(pwd)/.tmp/gpu-out}"; mkdir -p "$OUTD"
W="${GPU_WORK:-/tmp/agentmem-gpu}"
log() { echo "[run +$(( $(date +%s) - T0 ))s] $*"; }
unxz_to() {
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"), 1<<20)' "$1" "$2"; fi
}
extract_deb() {
  if command -v dpkg >/dev/null 2>&1; then dpkg -x "$1" "$2"; return; fi
  python3 - "$1" "$2" <<'PY'
import sys, io, tarfile
d = open(sys.argv[1], 'rb').read(); assert d[:8] == b'!<arch>\n'; p = 8
while p < len(d):
    h = d[p:p + 60]; name = h[:16].decode().strip(); size = int(h[48:58].decode().strip()); p += 60
    if name.startswith('data.tar'): tarfile.open(fileobj=io.BytesIO(d[p:p + size])).extractall(sys.argv[2])
    p += size + (size & 1)
PY
}
findlib() {
  local d; local -a ds; IFS=: read -ra ds <<< "${LD_LIBRARY_PATH:-}"
  for d in "${ds[@]}"; do [ -n "$d" ] && [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }; done
  ldconfig -p 2>/dev/null | awk -v s="$1" '$1==s {print $NF; exit}' | grep .
}

main() {
  log "carry=$C work=$W out=$OUTD nproc=$(nproc)"
  command -v nvidia-smi >/dev/null && export GPU_NAME="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -2 | tr '\n' ';')" && log "gpu: $GPU_NAME"
  rm -rf "$W"; mkdir -p "$W"/{bin,webgpu,ort,sysroot,compat,model}
  unxz_to "$C/bin/node.xz" "$W/bin/node" &
  unxz_to "$C/webgpu/dawn.node.xz" "$W/webgpu/dawn.node" &
  unxz_to "$C/ort/ort-wasm-simd-threaded.jsep.wasm.xz" "$W/ort/ort-wasm-simd-threaded.jsep.wasm" &
  wait
  chmod +x "$W/bin/node"
  cp "$C/webgpu/index.js" "$C/webgpu/package.json" "$W/webgpu/"
  cp "$C"/ort/*.mjs "$W/ort/"
  cp "$C"/model/* "$W/model/"
  NODE="$W/bin/node"
  log "node $("$NODE" --version)"
  "$NODE" "$C/make-model.mjs" "$W/model" $( { [ "${VARIANT:-fp32}" = fp16 ] || [ "${FP16:-auto}" != 0 ]; } && echo fp16) &
  MPID=$!

  for d in "$C"/debs/*.deb; do extract_deb "$d" "$W/sysroot" || log "extract failed: $d"; done
  local nvl="" d so p
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu/nvidia/current /usr/lib64/nvidia; do [ -d "$d" ] && nvl="$nvl$d:"; done
  export LD_LIBRARY_PATH="$W/compat:$nvl${LD_LIBRARY_PATH:-}"
  local SYS="$W/sysroot/usr/lib/x86_64-linux-gnu"
  for so in libvulkan.so.1 libEGL.so.1 libGLdispatch.so.0 libGLX.so.0 libGL.so.1 libXext.so.6 libX11.so.6 libxcb.so.1 libXau.so.6 libXdmcp.so.6 libbsd.so.0 libmd.so.0; do
    if findlib "$so" >/dev/null; then continue; fi
    p=$(ls "$SYS/$so" "$W/sysroot/lib/x86_64-linux-gnu/$so" 2>/dev/null | head -1)
    if [ -n "$p" ]; then ln -sf "$(readlink -f "$p")" "$W/compat/$so"; else log "lib $so: MISSING"; fi
  done
  p=$(findlib libstdc++.so.6 || true)
  if [ -z "$p" ] || ! grep -qa GLIBCXX_3.4.30 "$p"; then ln -sf "$(readlink -f "$SYS/libstdc++.so.6")" "$W/compat/libstdc++.so.6"; fi
  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$W/xdg}"; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"

  local -a ICDS=()
  if [ -n "${ICD_CANDIDATES:-}" ]; then IFS=: read -ra ICDS <<< "$ICD_CANDIDATES"
  else
    for p in ${VK_ICD_FILENAMES:-} /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
      [ -f "$p" ] && ICDS+=("$p")
    done
    for so in libGLX_nvidia.so.0 libEGL_nvidia.so.0; do
      p=$(findlib "$so" || ls /usr/local/nvidia/lib64/$so /usr/lib/x86_64-linux-gnu/$so 2>/dev/null | head -1)
      [ -n "$p" ] || continue
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$p" > "$W/icd_$so.json"
      ICDS+=("$W/icd_$so.json")
    done
  fi
  local CHOSEN="" icd
  export WEBGPU_MODULE="$W/webgpu/index.js" ORT_DIR="$W/ort" MODEL_DIR="$W/model"
  for icd in "${ICDS[@]}"; do
    if VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd" PROBE=1 REQUIRE_HW="${REQUIRE_HW:-1}" timeout 60 "$NODE" "$C/gpu-bench.mjs" 2>&1 | grep -v '^Warning'; then
      [ "${PIPESTATUS[0]}" = 0 ] && { CHOSEN="$icd"; break; }
    fi
    log "ICD $icd: no usable adapter"
  done
  [ -n "$CHOSEN" ] || { log "NO WORKING WEBGPU ADAPTER (ICDs tried: ${ICDS[*]:-none})"; VK_LOADER_DEBUG=error,warn,driver PROBE=1 timeout 30 "$NODE" "$C/gpu-bench.mjs" 2>&1 | head -40; return 1; }
  export VK_ICD_FILENAMES="$CHOSEN" VK_DRIVER_FILES="$CHOSEN"
  log "ICD: $CHOSEN"
  wait $MPID || { log "model generation failed"; return 1; }
  OUT_JSON="$OUTD/gpu-results.json" "$NODE" "$C/gpu-bench.mjs" 2>&1 | grep --line-buffered -v -E '^Warning: max(Dynamic|Storage)|artificially reduced'
  log "done rc=${PIPESTATUS[0]}"
}
main 2>&1 | tee "$OUTD/run.log"
