#!/usr/bin/env bash
# scripts/test.sh: the whole test suite, as CI runs it. On a fresh machine it first installs the
# pinned Python peers into target/peers/venv and downloads the real-package corpus (both cached),
# then runs the format check, clippy with warnings as errors, and every test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export SHIPWHEEL_PEERS_VENV="$root/target/peers/venv"

step() { printf '\n==> %s\n' "$*" >&2; }

step "peers (pinned, into target/peers/venv)"
bash scripts/peers.sh "$SHIPWHEEL_PEERS_VENV"
step "real-package corpus (target/corpus)"
bash scripts/corpus.sh
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "tests"
cargo test --workspace --locked "$@"
