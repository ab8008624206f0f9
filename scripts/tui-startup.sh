#!/usr/bin/env bash
# Measures process start to the first full frame with data of the terminal UI, and its peak RSS,
# on a big demo database (default /tmp/big.db; make one with `leadline --db /tmp/big.db demo --leads 1000000`).
# Runs the release binary in tmux; the binary logs "first frame with data" and exits when
# LEADLINE_EXIT_AFTER_FIRST_FRAME is set.
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-/tmp/big.db}"
RUNS="${RUNS:-5}"
[ -f "$DB" ] || { echo "no database at $DB; create it with: leadline --db $DB demo --leads 1000000" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
cargo build --release -q
BIN="$PWD/target/release/leadline"
STATE="$(mktemp -d)"
trap 'rm -rf "$STATE"' EXIT
for i in $(seq 1 "$RUNS"); do
  tmux new-session -d -s "startup-$$" -x 200 -y 60 \
    "env LEADLINE_STATE_DIR=$STATE LEADLINE_EXIT_AFTER_FIRST_FRAME=1 /usr/bin/time -f 'rss_kb=%M wall_s=%e' -o $STATE/time.$i $BIN --db $DB"
  while tmux has-session -t "startup-$$" 2>/dev/null; do sleep 0.05; done
  echo "run $i: $(grep 'first frame' "$STATE/leadline.log" | tail -1 | sed 's/.*ms=\([0-9.]*\).*/first frame with data: \1 ms/') · $(cat "$STATE/time.$i")"
done
