#!/usr/bin/env bash
# Makes (once) the benchmark/test asset: testsrc + sine, H.264 yuv420p + AAC, 10 s, 2 Mbit/s CBR MPEG-TS.
# Prints its path. Override the location with EXT3NS_BENCH_DIR.
set -euo pipefail
dir=${EXT3NS_BENCH_DIR:-${TMPDIR:-/tmp}/ext3ns-bench-stream}
mkdir -p "$dir"
out="$dir/asset.ts"
if [ ! -s "$out" ]; then
  ffmpeg -v error -y -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi -i sine=frequency=1000:sample_rate=48000 \
    -t 10 -c:v libx264 -preset veryfast -pix_fmt yuv420p -b:v 1800k -maxrate 1800k -bufsize 900k \
    -x264-params nal-hrd=cbr -g 50 -c:a aac -b:a 128k -f mpegts -muxrate 2000000 "$out.tmp"
  mv "$out.tmp" "$out"
fi
echo "$out"
