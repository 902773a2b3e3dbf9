#!/usr/bin/env bash
# Run HERE (the networked dev machine) before a device call: gathers in git-ignored folders what
# the device machine lacks and cannot fetch (nothing outside it can be reached from it):
#   .whl/      brian2 2.10.1, brian2cuda 1.0b1 (the cuda extra) and mlxtend wheels (cp312, x86-64)
#   .devdata/  MNIST (from ../shared/data/mnist); with --fashion also Fashion-MNIST (Debian's
#              dataset-fashion-mnist, 31 MiB); with --paper DIR the paper run that an earlier device
#              call returned as DIR/paper.tgz.part-* (batch.sh resumes it from .devdata/paper)
# The device call then names both in `carry` (64 MiB in all: wheels 4, MNIST 2, Fashion 31, a paper
# run about 30) and runs batch.sh.
# Usage: benchmarks/device/prepare.sh [--fashion] [--paper DIR]   (rm -rf .devdata/paper: a fresh paper run)
set -euo pipefail
fashion=0 paper=""
while [ $# -gt 0 ]; do
    case "$1" in
    --fashion) fashion=1 ;;
    --paper) paper=$(cd "$2" && pwd); shift ;;
    *) echo "usage: $0 [--fashion] [--paper DIR]" >&2; exit 2 ;;
    esac
    shift
done
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
plat=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
      --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any)
mkdir -p .whl .devdata/mnist
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${plat[@]}" -d .whl brian2==2.10.1 brian2cuda==1.0b1 mlxtend==0.25.0
cp ../shared/data/mnist/*.gz .devdata/mnist/
if [ $fashion = 1 ] && [ ! -e .devdata/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    mkdir -p .devdata/fashion-mnist
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -q dataset-fashion-mnist >/dev/null 2>&1 && dpkg -x ./*.deb x)
    cp "$tmp"/x/usr/share/datasets/fashion-mnist/*.gz .devdata/fashion-mnist/
    rm -rf "$tmp"
fi
[ $fashion = 0 ] && rm -rf .devdata/fashion-mnist  # everything in .devdata travels: only what is asked for
if [ -n "$paper" ]; then
    rm -rf .devdata/paper
    cat "$paper"/paper.tgz.part-* | tar xzf - -C .devdata
fi
du -sh .whl .devdata/*
