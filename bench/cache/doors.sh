#!/usr/bin/env bash
# One block cache for both doors (issue 17), at full size: a title of SIZE_MB (default 1024) MiB is copied into a
# real mount (1 MiB blocks, -o cache= large enough), the kernel's page cache is dropped, and the title is read through
# the mount, downloaded over the mount's HTTP server and played to its end by two ffmpeg RTSP viewers at once.
# Prints the members' bytes read (ext3ns_member_read_bytes_total) per step and in all, against the file's size.
#
# usage: bench/cache/doors.sh [DIR]   (DIR holds the image, the title and the mount; default /var/tmp/ext3ns-bench-cache;
#        needs root for drop_caches; run from the built tree: mvn -q -B package -DskipTests)
# env:   SIZE_MB (default 1024), SECONDS_OF_PLAY (default 30: the title's duration, so its bit rate is SIZE/SECONDS)
set -euo pipefail
root=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
dir=$(readlink -f "${1:-/var/tmp/ext3ns-bench-cache}")
size_mb=${SIZE_MB:-1024}
play=${SECONDS_OF_PLAY:-30}
[ "$(id -u)" = 0 ] || { echo "doors.sh: needs root (drop_caches)" >&2; exit 1; }
for tool in ffmpeg curl python3 fusermount; do
  command -v "$tool" >/dev/null || { echo "doors.sh: $tool is missing" >&2; exit 1; }
done
mkdir -p "$dir"
mnt="$dir/mnt"
pid=""
cleanup() {
  set +e
  mountpoint -q "$mnt" && { fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt"; }
  [ -n "$pid" ] && wait "$pid" 2>/dev/null
  rm -f "$dir/store.img"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
metric() { curl -s "http://127.0.0.1:$http/metrics" | awk -v n="$1" '$1 == n { printf "%.0f\n", $2 }'; }

# The title: MPEG-2 noise sized to SIZE_MB over SECONDS_OF_PLAY seconds (made once, kept for the next run).
title="$dir/title-${size_mb}M.ts"
if [ ! -s "$title" ]; then
  # about 1.2 MB per 720p frame of noise at q 2: frames per second for the size asked
  fps=$(( (size_mb * 1048576 / 1200000 + play - 1) / play ))
  ffmpeg -v error -y -f lavfi -i "testsrc2=s=1280x720:r=$fps" -t "$play" -vf noise=alls=60:allf=t \
    -c:v mpeg2video -q:v 2 -g "$fps" -f mpegts "$title.tmp"
  mv "$title.tmp" "$title"
fi
bytes=$(stat -c %s "$title")

rm -f "$dir/store.img"
truncate -s $(( bytes * 2 + (512 << 20) )) "$dir/store.img"
"$root/bin/mkfs.ext3ns" -q -b 1M "$dir/store.img" >/dev/null
mkdir -p "$mnt"
http=$(free_port)
rtsp=$(free_port)
cache_mb=$(( bytes / 1048576 + 256 ))
"$root/bin/mount.ext3ns" "$dir/store.img" "$mnt" -f -o "http=$http,rtsp=$rtsp,cache=${cache_mb}M,pool=8M" \
  >"$dir/mount.log" 2>&1 &
pid=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$http/metrics" >/dev/null && break; sleep 0.1; done
cp "$title" "$mnt/title.ts"
sync
echo 3 > /proc/sys/vm/drop_caches

m0=$(metric ext3ns_member_read_bytes_total)
t0=$(date +%s.%N)
cat "$mnt/title.ts" >/dev/null
m1=$(metric ext3ns_member_read_bytes_total)
t1=$(date +%s.%N)
curl -s -o /dev/null "http://127.0.0.1:$http/title.ts"
m2=$(metric ext3ns_member_read_bytes_total)
t2=$(date +%s.%N)
viewers=()
for i in 1 2; do
  ffmpeg -v error -rtsp_transport tcp -i "rtsp://127.0.0.1:$rtsp/title.ts" -map 0 -c copy -f null - &
  viewers+=($!)
done
for v in "${viewers[@]}"; do wait "$v"; done
m3=$(metric ext3ns_member_read_bytes_total)
t3=$(date +%s.%N)
python3 - "$bytes" "$m0" "$m1" "$m2" "$m3" "$t0" "$t1" "$t2" "$t3" \
  "$(metric ext3ns_block_cache_hits_total)" "$(metric ext3ns_block_cache_misses_total)" <<'PY'
import sys
size, m0, m1, m2, m3 = (int(x) for x in sys.argv[1:6])
t0, t1, t2, t3 = (float(x) for x in sys.argv[6:10])
hits, misses = sys.argv[10], sys.argv[11]
mib = 1 << 20
print(f"title {size / mib:.0f} MiB; bytes read from the members (ext3ns_member_read_bytes_total):")
print(f"| step | member reads MiB | x file | seconds |")
print(f"|---|---:|---:|---:|")
print(f"| FUSE read (cat, page cache dropped) | {(m1 - m0) / mib:.0f} | {(m1 - m0) / size:.3f} | {t1 - t0:.1f} |")
print(f"| HTTP download (curl) | {(m2 - m1) / mib:.0f} | {(m2 - m1) / size:.3f} | {t2 - t1:.1f} |")
print(f"| RTSP, two ffmpeg viewers at once | {(m3 - m2) / mib:.0f} | {(m3 - m2) / size:.3f} | {t3 - t2:.1f} |")
print(f"| all three | {(m3 - m0) / mib:.0f} | {(m3 - m0) / size:.3f} | {t3 - t0:.1f} |")
print(f"block cache: {hits} hits, {misses} misses; target: all three <= 1.1 x file: "
      + ("met" if m3 - m0 <= 1.1 * size else "NOT met"))
PY
