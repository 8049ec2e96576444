#!/usr/bin/env bash
# scripts/corpus.sh: download the pinned corpus of real distributions that the "no false errors"
# tests and the benchmarks run on, into target/corpus (kept between runs; re-running is free).
#   wheels/  20 popular wheels, about 85 MiB
#   sdists/  recent sdists of popular projects
#   backend/ the hatchling build backend and its dependencies (pure-Python wheels), so an index
#            on loopback can serve what building an sdist needs
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${SHIPWHEEL_PEERS_VENV:-$root/target/peers/venv}"
out="$root/target/corpus"
py="$venv/bin/python"
[ -x "$py" ] || { echo "corpus: run scripts/peers.sh $venv first" >&2; exit 1; }

WHEELS="attrs==26.1.0 black==26.10.1 cryptography==50.0.2 grpcio==1.85.1 lxml==6.1.3 markupsafe==3.0.4 \
numpy==2.4.6 orjson==3.13.0 pandas==3.1.1 pillow==13.0.0 psutil==7.2.2 pydantic-core==2.50.4 \
pyyaml==6.0.3 requests==2.34.2 rich==15.0.0 ruff==0.17.6 setuptools==84.2.1 six==1.17.0 urllib3==2.8.0 uv==0.13.9"
SDISTS="attrs==26.1.0 requests==2.34.2 rich==15.0.0 six==1.17.0 urllib3==2.8.0 markupsafe==3.0.4 pyyaml==6.0.3"
# Same pins as scripts/peers.sh.
BACKEND="hatchling==1.33.0 packaging==26.3 pathspec==1.1.1 pluggy==1.7.0 tomlkit==0.15.2 \
trove-classifiers==2026.9.21.13"
stamp_want="$(printf '%s\n%s\n%s\n' "$WHEELS" "$SDISTS" "$BACKEND" | sha256sum | cut -d' ' -f1)"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp_want" ]; then
  echo "corpus: up to date in $out" >&2
  exit 0
fi
mkdir -p "$out/wheels" "$out/sdists" "$out/backend"
# shellcheck disable=SC2086
"$py" -m pip download -q --disable-pip-version-check --no-deps --only-binary :all: \
  --python-version 3.11 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform any -d "$out/wheels" $WHEELS
# shellcheck disable=SC2086
"$py" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: --no-build-isolation \
  -d "$out/sdists" $SDISTS 2>/dev/null || \
  # pip may try to build an sdist to read its metadata; fetch the files one by one instead.
  for s in $SDISTS; do
    "$py" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: -d "$out/sdists" "$s" || true
  done
# shellcheck disable=SC2086
"$py" -m pip download -q --disable-pip-version-check --no-deps --only-binary :all: \
  --python-version 3.11 --platform any -d "$out/backend" $BACKEND
n_w=$(find "$out/wheels" -name '*.whl' | wc -l)
n_s=$(find "$out/sdists" -name '*.tar.gz' | wc -l)
[ "$n_w" -ge 20 ] || { echo "corpus: expected 20 wheels, got $n_w" >&2; exit 1; }
n_b=$(find "$out/backend" -name '*.whl' | wc -l)
[ "$n_b" -ge 6 ] || { echo "corpus: expected 6 backend wheels, got $n_b" >&2; exit 1; }
[ "$n_s" -ge 5 ] || { echo "corpus: expected at least 5 sdists, got $n_s" >&2; exit 1; }
echo "$stamp_want" > "$out/.stamp"
echo "corpus: $n_w wheels, $n_s sdists, $n_b backend wheels in $out" >&2
