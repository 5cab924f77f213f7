#!/usr/bin/env bash
# SDA benchmark driver: prepares member files on this disk (or loop devices over them), fills them with data so
# that reads hit the disk rather than sparse holes, runs the Java benchmark, and always cleans up.
#
#   bench/sda/run.sh [--quick | --full] [--loop] [--dir DIR] [--keep] [SdaBench options]
#
#   --quick   4 members of 256 MiB, 3 rounds of 0.3 s per point (default; about two minutes)
#   --full    4 members of 1 GiB, 3 rounds of 1.5 s per point (about eight minutes)
#   --loop    members are loop devices (losetup --direct-io=on) over the files, detached on exit
#   --dir     where the member files go (default /var/tmp/ext3ns-bench-sda; not tmpfs)
#   --keep    leave the member files for the next run (loop devices are detached regardless)
# Other options go to io.ext3ns.bench.sda.SdaBench (later ones win): --block 1M --readers 1,4,16,64,256 --seconds S
#   --latency-ms 5 --latency-readers 4 --reader-depth 2 --repeat 3 --no-fio --depth 2 (requests in flight per member,
#   ours and fio's) --variants threads,threads+arena,uring,uring+fixed (split) --other-variants threads,uring+fixed
#   (raid0 and single member) --layouts split,raid0,single --no-pipelining
set -euo pipefail
root=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")

size=256M seconds=0.3 loop=0 keep=0 dir=/var/tmp/ext3ns-bench-sda count=4 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) size=256M seconds=0.3 ;;
    --full) size=1G seconds=1.5 ;;
    --loop) loop=1 ;;
    --keep) keep=1 ;;
    --dir) dir=$2; shift ;;
    --) shift; extra+=("$@"); break ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 0 ;;
    --*) extra+=("$1"); if [ $# -gt 1 ] && [[ $2 != --* ]]; then extra+=("$2"); shift; fi ;;
    *) echo "ext3ns-bench-sda: unexpected argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v fio >/dev/null || { echo "ext3ns-bench-sda: fio is not installed" >&2; exit 8; }

mkdir -p "$dir"
files=() loops=()
cleanup() {
  for d in "${loops[@]}"; do losetup --detach "$d" || echo "ext3ns-bench-sda: could not detach $d" >&2; done
  if [ "$keep" = 0 ]; then rm -f "${files[@]}"; rmdir "$dir" 2>/dev/null || true; fi
}
trap cleanup EXIT

bytes=$(numfmt --from=iec "$size")
for i in $(seq 0 $((count - 1))); do
  f="$dir/m$i"
  files+=("$f")
  if [ ! -f "$f" ] || [ "$(stat -c %s "$f")" != "$bytes" ]; then
    echo "filling $f ($size)" >&2
    rm -f "$f"
    fio --name=fill --rw=write --bs=1M --direct=1 --ioengine=libaio --iodepth=4 --size="$size" \
        --filename="$f" >/dev/null
  fi
done

members=()
if [ "$loop" = 1 ]; then
  for f in "${files[@]}"; do
    d=$(losetup --find --show --direct-io=on "$f")
    loops+=("$d")
    members+=("$d")
  done
else
  members=("${files[@]}")
fi

echo "kernel $(uname -r), $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$root/bin/ext3ns-launch" bench io.ext3ns.bench.sda.SdaBench \
  --members "$(IFS=,; echo "${members[*]}")" --seconds "$seconds" "${extra[@]}"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews the numbers)"
