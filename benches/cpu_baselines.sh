#!/usr/bin/env bash
# Speed of the same code built for three x86-64 CPU targets: the x86-64 baseline (SSE2), x86-64-v3 (AVX2, the
# repository's default in .cargo/config.toml) and the building machine's own CPU (`native`). Builds LeNet, the
# MLP, ResNet and MobileNet plain and tuned for each (separate target folders under target/cpu-*), then times
# each binary's `bench` (µs per input at batch 1, one thread) in ROUNDS interleaved rounds and prints medians and
# ratios. Usage: bash benches/cpu_baselines.sh [ROUNDS]   (about 20 minutes of builds on 2 cores the first time)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
models=(lenet mlp resnet mobilenet)
targets=(x86-64 x86-64-v3 native)
grep -o -w -E 'avx2|avx512f|avx512_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ' | sed 's/^/CPU features: /'; echo
mkdir -p target/cpu-bins
for t in "${targets[@]}"; do
  for mode in plain tuned; do
    features=()
    [ "$mode" = tuned ] && features=(--features tuned)
    args=()
    for m in "${models[@]}"; do args+=(--example "$m"); done
    RUSTFLAGS="-C target-cpu=$t" CARGO_TARGET_DIR="target/cpu-$t" cargo build --quiet --release "${features[@]}" "${args[@]}"
    for m in "${models[@]}"; do cp "target/cpu-$t/release/examples/$m" "target/cpu-bins/$m-$t-$mode"; done
  done
done
log=target/cpu-bins/times.txt
: > "$log"
for r in $(seq "$rounds"); do
  for m in "${models[@]}"; do
    for t in "${targets[@]}"; do
      for mode in plain tuned; do
        us=$("target/cpu-bins/$m-$t-$mode" bench --n 512 | grep -o '[0-9.]* µs/input at batch 1' | cut -d' ' -f1)
        echo "$m $t $mode $us" >> "$log"
      done
    done
  done
done
python3 - "$log" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    m, t, mode, us = line.split()
    d[(m, t, mode)].append(float(us))
print("| model | target | plain µs | tuned µs (min..max) | tuned speed vs native build |")
print("|---|---|---:|---:|---:|")
for m in dict.fromkeys(k[0] for k in d):
    native = statistics.median(d[(m, "native", "tuned")])
    for t in ["x86-64", "x86-64-v3", "native"]:
        p, u = d[(m, t, "plain")], d[(m, t, "tuned")]
        print(f"| {m} | {t} | {statistics.median(p):.1f} | {statistics.median(u):.1f} ({min(u):.1f}..{max(u):.1f}) | "
              f"{native / statistics.median(u):.2f}x |")
PY
