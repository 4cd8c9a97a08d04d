#!/usr/bin/env bash
# The project's whole check: lint, import contract, types, tests. Uses the virtual environment in $VENV (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/ruff" check bot adapters storage tests bench
"$VENV/bin/lint-imports"
"$VENV/bin/mypy"
"$VENV/bin/python" -m pytest -q "$@"
