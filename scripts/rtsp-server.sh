#!/usr/bin/env bash
# Development camera: serves the shipped footage (re-encoded to H.264 once, cached in .cache/media) over RTSP.
#   scripts/rtsp-server.sh [--port 8554] [--path /stream] [--user NAME --password PW] [--file clip.mp4]
# Then e.g.: node dist/edge/cli/main.js probe rtsp://127.0.0.1:8554/stream
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -f "$root/dist/scripts/devkit/footage.js" ]; then (cd "$root" && npm run build); fi

file=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --file) file="$2"; shift 2 ;;
    --password) export HUXIAO_RTSP_PASSWORD="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ -z "$file" ]; then
  file="$(cd "$root" && node --input-type=module -e "import { footageMp4 } from './dist/scripts/devkit/footage.js'; process.stdout.write(await footageMp4());")"
fi
exec "${HUXIAO_GI_PYTHON:-/usr/bin/python3}" "$root/scripts/rtsp-server.py" --file "$file" "${args[@]}"
