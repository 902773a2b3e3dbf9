#!/usr/bin/env bash
# The GPU checks of issue 19, in one prepared batch for the device machine.
#
# Here first:  benchmarks/device/prepare.sh             (wheels and data into .whl/ and .devdata/)
# Device call: run(command="bash benchmarks/device/batch.sh tests bench spiking",
#                  carry=[".whl", ".devdata"], timeout_s=580)
#
# Stages run in the order given; each has its own time limit (seconds, below) so one stage
# cannot eat the call, and everything it writes goes to $OUT (8 files come back at most):
#   tests    pytest -m gpu (the epilogue kernel and trainer on CUDA, graph loop, Triton kernel,
#            brian2cuda agreement)                               -> pytest_gpu.txt      ~2 min
#   bench    bench_gpu.py: M = 500 / 10,000 steps incl. the epilogue tile sweep, divergence
#            times, training step, GEMM floors, and train_accuracy (TRAIN_STEPS same-seed MNIST
#            steps in float32 and each fast mode)               -> gpu_bench.json      ~4 min
#   spiking  bench_spiking.py N = 100k: cpp vs cuda, profiled runs (seconds per code object)
#            and brian2cuda preference variants                  -> spiking.json        ~5 min
#   paper    experiments/chaotic_generation/run.py gpu_fast.toml --steps PAPER_STEPS, resumable
#            across sessions: stopped by its limit (SIGINT) it writes a checkpoint; the run
#            folder (checkpoint, history, figures, JSON; not the A snapshots) comes back as
#            paper.tgz.part-aa, -ab, ... (15 MiB each); `prepare.sh --paper DIR` unpacks them
#            into .devdata/paper, which the next session's call carries and resumes
#                                                                 -> paper.tgz.part-*
# The measured numbers go into benchmarks/results/ and docs/gpu.md afterwards (here).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        || { echo "wheel install failed"; exit 1; }
    export PYTHONPATH="$PYTHONPATH:/tmp/site"
fi
[ -d .devdata/mnist ] && export NEUROCHAOS_MNIST="$PWD/.devdata/mnist"
[ -d .devdata/fashion-mnist ] && export NEUROCHAOS_FASHION_MNIST="$PWD/.devdata/fashion-mnist"
LOG="$OUT/batch.log"
{ nvidia-smi -L; python3 -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__)"; } 2>&1 | tee -a "$LOG"

stage() {  # name, seconds, command...
    local name=$1 limit=$2; shift 2
    local t0=$SECONDS
    echo "== $name (limit ${limit}s): $*" | tee -a "$LOG"
    timeout -s INT "$limit" "$@" >>"$LOG" 2>&1
    echo "== $name: rc $? in $((SECONDS - t0)) s" | tee -a "$LOG"
}

for s in "$@"; do
    case "$s" in
    tests) stage tests 240 python3 -m pytest -m gpu tests -q -p no:cacheprovider -rs --junitxml="$OUT/pytest_gpu.xml" ;;
    bench) stage bench 300 python3 benchmarks/bench_gpu.py --out "$OUT/gpu_bench.json" \
        --sections batched,big,accuracy,training,train_accuracy --train-steps "${TRAIN_STEPS:-3000}" ;;
    spiking) stage spiking 330 python3 benchmarks/bench_spiking.py --sizes 100000 --skip-runtime --profile \
        --cuda-variants '{"blocks_per_SM": {"parallel_blocks": null}}' --out "$OUT/spiking.json" ;;
    paper)
        rm -rf /tmp/paper
        [ -d .devdata/paper ] && cp -r .devdata/paper /tmp/paper  # a run from an earlier session: resumed
        stage paper "${PAPER_LIMIT:-480}" python3 experiments/chaotic_generation/run.py \
            experiments/chaotic_generation/gpu_fast.toml --steps "${PAPER_STEPS:-300000}" --out /tmp/paper --no-progress
        tar czf - --exclude=snapshots -C /tmp paper | split -b 15M - "$OUT/paper.tgz.part-" ;;
    *) echo "unknown stage $s (tests, bench, spiking, paper)" | tee -a "$LOG" ;;
    esac
done
