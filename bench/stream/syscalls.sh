#!/usr/bin/env bash
# System calls per RTP packet for each send path, counted with strace -c -f around the benchmark in its
# fixed-work mode (every stream plays the file N times). Usage: bench/stream/syscalls.sh [--source file] [...]
# Prints one Markdown row per path; extra arguments go to ext3ns-bench-stream.
set -euo pipefail
root=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
asset=$("$root/bench/stream/make-asset.sh")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Counts come from two runs (1 and 4 plays per stream) and are differenced, which cancels the JVM's own start-up
# and shutdown syscalls (class loading reads, thread creation): what remains is the cost of 3 plays.
count() { # path plays -> "packets sendmsg sendmmsg sendto+write pread64+read"
  local path=$1 plays=$2
  strace -f -c -o "$out/$path.$plays.strace" "$root/bin/ext3ns-bench-stream" --ts "$asset" --paths "$path" \
    --reps 1 --streams 2 --plays "$plays" --warmup 0 "${extra[@]}" >"$out/$path.$plays.log" 2>&1
  local packets
  packets=$(awk -v p="$path" '$1=="rep" && $3==p {print $8}' "$out/$path.$plays.log")
  awk -v packets="$packets" '
    # strace -c rows: % time, seconds, usecs/call, calls, [errors], syscall
    $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ { calls[$NF] = $4 }
    END { print packets, calls["sendmsg"] + 0, calls["sendmmsg"] + 0, calls["sendto"] + calls["write"],
                calls["pread64"] + calls["read"] }' "$out/$path.$plays.strace"
}
extra=("$@")
echo "| path | packets | sendmsg | sendmmsg | sendto + write | pread64 + read | per packet: send | per packet: read |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for path in LEGACY FAST BATCHED; do
  read -r p1 a1 b1 c1 d1 <<<"$(count "$path" 1)"
  read -r p4 a4 b4 c4 d4 <<<"$(count "$path" 4)"
  awk -v path="$path" -v p=$((p4 - p1)) -v a=$((a4 - a1)) -v b=$((b4 - b1)) -v c=$((c4 - c1)) -v d=$((d4 - d1)) \
    'BEGIN { printf "| %s | %d | %d | %d | %d | %d | %.4f | %.4f |\n", path, p, a, b, c, d, (a + b + c) / p, d / p }'
done
