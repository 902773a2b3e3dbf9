#!/usr/bin/env bash
# Run HERE (the networked dev machine) before a device call: gathers in git-ignored folders what
# the device machine lacks and cannot fetch (nothing outside it can be reached from it):
#   .whl/      brian2 2.10.1, brian2cuda 1.0b1 (the cuda extra) and mlxtend wheels (cp312, x86-64)
#   .devdata/  MNIST (from ../shared/data/mnist) and Fashion-MNIST (Debian's dataset-fashion-mnist)
# The device call then names both in `carry` (about 37 MiB of the 64 allowed) and runs batch.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
plat=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64
      --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any)
mkdir -p .whl .devdata/mnist .devdata/fashion-mnist
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${plat[@]}" -d .whl brian2==2.10.1 brian2cuda==1.0b1 mlxtend==0.25.0
cp ../shared/data/mnist/*.gz .devdata/mnist/
if [ ! -e .devdata/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download -q dataset-fashion-mnist >/dev/null 2>&1 && dpkg -x ./*.deb x)
    cp "$tmp"/x/usr/share/datasets/fashion-mnist/*.gz .devdata/fashion-mnist/
    rm -rf "$tmp"
fi
du -sh .whl .devdata
