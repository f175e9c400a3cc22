#!/usr/bin/env bash
# Creates (once) a Python venv with the pinned moto the tests run against, and links it as ./.venv.
# The venv lives in the user's cache dir so repeated CI runs and fresh clones reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
MOTO_VERSION=5.2.5
VENV="${OPSDECK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/opsdeck/venv-moto-$MOTO_VERSION}"
if ! "$VENV/bin/python" -c "import moto, flask, flask_cors; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null; then
    echo "setup-moto: creating $VENV (moto==$MOTO_VERSION)"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto==$MOTO_VERSION" flask flask-cors
fi
if [ "$(readlink .venv 2>/dev/null)" != "$VENV" ]; then
    rm -rf .venv
    ln -s "$VENV" .venv
fi
echo "setup-moto: $(.venv/bin/python -c 'import moto; print("moto", moto.__version__)') at .venv"
