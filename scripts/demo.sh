#!/usr/bin/env bash
# scripts/demo.sh: the main job, offline. Builds the bundled example package (examples/spinwheel),
# starts shipwheel's embedded index on a free loopback port, and releases the example into it:
# plan -> check -> publish -> publish again (nothing to do) -> verify (install back and import).
# The only thing fetched is the pinned build tooling on first use (scripts/peers.sh, cached in target/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="${SHIPWHEEL_PEERS_VENV:-$root/target/peers/venv}"
work="$root/target/demo"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "tooling: pinned build backend and installers (cached in target/peers/venv)"
bash scripts/peers.sh "$venv" >/dev/null 2>&1 || bash scripts/peers.sh "$venv"
cargo build --quiet --locked -p shipwheel
sw="$root/target/debug/shipwheel"
export PATH="$venv/bin:$PATH"   # uv, python with build + hatchling

rm -rf "$work"
mkdir -p "$work"
cp -r examples/spinwheel "$work/spinwheel"
rm -rf "$work/spinwheel/dist"

step "shipwheel version (examples/spinwheel)"
(cd "$work/spinwheel" && "$sw" version)

step "build the example (python -m build --no-isolation)"
(cd "$work/spinwheel" && python -m build --no-isolation --outdir dist . >/dev/null)
ls -l "$work/spinwheel/dist"

step "shipwheel check dist/*"
(cd "$work/spinwheel" && "$sw" check)

step "shipwheel serve (embedded index on a free port)"
token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
SHIPWHEEL_SERVE_TOKEN="$token" "$sw" serve --root "$work/index" --bind 127.0.0.1:0 >"$work/serve.log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q 'upload:' "$work/serve.log" 2>/dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 0.1
done
cat "$work/serve.log"
index_url="$(sed -n 's/^ *index: *//p' "$work/serve.log" | head -1)"
upload_url="$(sed -n 's/^ *upload: *//p' "$work/serve.log" | head -1)"
[ -n "$index_url" ] && [ -n "$upload_url" ] || { echo "demo: could not read the index URLs" >&2; exit 1; }

step "shipwheel plan: a tag push of v0.3.0, as GitHub Actions would report it"
# The example becomes a git repository with the release tag, and the event is shaped like GitHub's.
(cd "$work/spinwheel" && git init -q -b main && git add -A \
  && git -c user.name=demo -c user.email=demo@example.org commit -qm "spinwheel 0.3.0" \
  && git tag v0.3.0)
printf '{"ref":"refs/tags/v0.3.0","repository":{"full_name":"example/spinwheel","default_branch":"main","fork":false}}\n' \
  > "$work/event.json"
plan_env=(GITHUB_ACTIONS=true GITHUB_EVENT_NAME=push GITHUB_REF=refs/tags/v0.3.0 GITHUB_REF_NAME=v0.3.0
  GITHUB_REF_TYPE=tag GITHUB_REPOSITORY=example/spinwheel GITHUB_EVENT_PATH="$work/event.json"
  GITHUB_SHA="$(git -C "$work/spinwheel" rev-parse HEAD)" GITHUB_OUTPUT="$work/github-output"
  GITHUB_STEP_SUMMARY="$work/step-summary.md")
(cd "$work/spinwheel" && env "${plan_env[@]}" "$sw" plan --index-url "$index_url")

step "shipwheel publish (all files or none)"
(cd "$work/spinwheel" && "$sw" publish --repository-url "$upload_url" --index-url "$index_url" \
  --token "$token" --trusted-publishing never)

step "shipwheel publish again: every file is already there, nothing is sent twice"
(cd "$work/spinwheel" && "$sw" publish --repository-url "$upload_url" --index-url "$index_url" \
  --token "$token" --trusted-publishing never)

step "shipwheel plan again: the tag is released, so a re-run has nothing to do"
(cd "$work/spinwheel" && env "${plan_env[@]}" "$sw" plan --index-url "$index_url")

step "shipwheel verify (fresh venv, install spinwheel==0.3.0 from the index, import it)"
"$sw" verify --index-url "$index_url" --smoke "spinwheel" spinwheel==0.3.0

step "done: spinwheel 0.3.0 is released into the embedded index at $index_url"
