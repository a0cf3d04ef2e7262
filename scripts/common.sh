# Shared by scripts/start.sh and scripts/test.sh: a virtual environment with
# requirements.txt installed, reinstalled only when requirements.txt changes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
cd "$ROOT"

pick_python() {
  for candidate in ${PYTHON:-} python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
      echo "$candidate"
      return
    fi
  done
  echo "Python 3.11 or newer is required" >&2
  exit 1
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> Creating the virtual environment in .venv"
    "$(pick_python)" -m venv "$VENV"
  fi
  local stamp="$VENV/.requirements.sha256"
  local wanted
  wanted="$(sha256sum requirements.txt | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "==> Installing requirements.txt"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    echo "$wanted" >"$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  export REFLEX_USE_NPM=1 NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"
  export REFLEX_TELEMETRY_ENABLED=false
}
