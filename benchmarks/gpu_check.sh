#!/usr/bin/env bash
# The GPU check (issue 20), one script for one short lease of a GPU machine:
#   1. the `gpu` tests (device="cuda" end to end),
#   2. bench_speed.py on CUDA (library against a plain PyTorch loop, same process, ABBA),
#   3. one recommended recipe at full size on CUDA (MNIST test if ../shared/data has it,
#      else the bundled digits).
# Everything it prints goes to one file, $OUT/gpu_check.txt (OUT defaults to
# benchmarks/gpu_check_out). Under 8 minutes on one H200; each part has its own time limit
# so a hang in one still leaves the others' figures.
#
#   bash benchmarks/gpu_check.sh                # on the GPU machine, from the repository root
#   DEVICE=cpu QUICK=1 bash benchmarks/gpu_check.sh   # the CPU-safe parts, at smoke size
#
# Needs an environment with the project's dependencies and a CUDA build of torch; the
# project is used from the working tree (PYTHONPATH), nothing is installed.
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=${DEVICE:-cuda}
OUT=${OUT:-benchmarks/gpu_check_out}
mkdir -p "$OUT"
LOG="$OUT/gpu_check.txt"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
if [ -n "${QUICK:-}" ]; then
    SPEED=(--n 256 --rounds 1 --encode-reps 1 --no-aa)
    QUALITY=(--datasets digits --recipes recommended --seeds 0 --tiny)
else
    SPEED=(--rounds 7 --warm-allocator)
    QUALITY=(--datasets mnist,digits --recipes recommended --seeds 0)
fi

section() { printf '\n===== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
{
    section "machine"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 || echo "no nvidia-smi"
    python -c "import torch, sys; print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available())"

    section "gpu tests"
    timeout 150 python -m pytest -q -m gpu -p no:cacheprovider tests/test_gpu.py
    echo "gpu tests exit code: $?"

    section "bench_speed.py --device $DEVICE"
    (cd benchmarks && timeout 200 python bench_speed.py --device "$DEVICE" "${SPEED[@]}")
    echo "bench_speed exit code: $?"

    section "bench_quality.py recommended recipe, device $DEVICE"
    (cd benchmarks && timeout 200 python bench_quality.py --device "$DEVICE" "${QUALITY[@]}")
    echo "bench_quality exit code: $?"
    section "done"
} 2>&1 | tee "$LOG"
