#!/usr/bin/env bash
# Import and export at scale: generates a CSV of N leads (default 1,000,000) in /tmp, then times
#   1. the sqlite3 shell's `.import` of the file into a bare table (the yardstick),
#   2. the schema's floor: the same rows written into leadline's schema by the import's bulk path with none
#      of its work per row (examples/import_floor.rs): what the ids, indexes and search index cost alone,
#   3. `leadline import` of the same file into an empty database (validation, duplicate matching, FTS),
#   4. `leadline export leads` of the result to CSV,
# each with /usr/bin/time -v for wall time and maximum resident memory.
# Budgets: import <= 3x the sqlite3 shell's time, memory < 150 MB, export < 10 s.
set -euo pipefail
N=${1:-1000000}
DIR=${BENCH_DIR:-/tmp/leadline-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$DIR"
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }
(cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet --example import_floor)
BIN="$ROOT/target/release/leadline"
CSV="$DIR/leads-$N.csv"
if [ ! -s "$CSV" ]; then
  echo "generating $N rows in $CSV"
  awk -v n="$N" 'BEGIN {
    srand(7);
    split("Ana Bob Carla Dmitri Emma Farah Gus Hiro Inés Julia Karl Léa Mateo Olga Yuki", first, " ");
    split("López Stone Méndez Ivanov Schulz Haddad Olsen Tanaka Ortega Kowalska Berg Dubois Ruiz Petrova Nakamura", last, " ");
    split("Software Retail Logistics Manufacturing Marine Food", ind, " ");
    print "First Name,Last Name,Email,Phone,Company,Job Title,Industry,Tags";
    for (i = 1; i <= n; i++) {
      f = first[1 + int(rand() * 15)]; l = last[1 + int(rand() * 15)];
      printf "%s,%s,%s.%s.%d@example.com,+34 6%08d,\"Company %d, S.L.\",Head of Sales,%s,\"vip,q%d\"\n",
        f, l, tolower(f), tolower(l), i, i, int(i / 5), ind[1 + int(rand() * 6)], 1 + i % 4;
    }
  }' > "$CSV"
fi
ls -lh "$CSV"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other work on the machine slows every figure alike)"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -v "$@" > "$DIR/$label.out" 2> "$DIR/$label.time" || { cat "$DIR/$label.time"; exit 1; }
  local wall rss user sys
  wall=$(grep "Elapsed (wall clock)" "$DIR/$label.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$DIR/$label.time" | awk '{print $NF}')
  user=$(grep "User time" "$DIR/$label.time" | awk '{print $NF}')
  sys=$(grep "System time" "$DIR/$label.time" | awk '{print $NF}')
  printf '%-16s wall %-10s cpu %6ss user + %5ss sys   max RSS %6d MB\n' "$label" "$wall" "$user" "$sys" $((rss / 1024))
}

rm -f "$DIR/bare.db" "$DIR/leadline.db"* "$DIR/floor.db"*
measure sqlite3-import sqlite3 "$DIR/bare.db" ".mode csv" ".import $CSV leads"
measure schema-floor "$ROOT/target/release/examples/import_floor" "$DIR/floor.db" "$CSV"
export LEADLINE_DB="$DIR/leadline.db"
measure leadline-import "$BIN" import "$CSV"
"$BIN" search "Company 4242" --limit 3 > /dev/null
measure leadline-export "$BIN" export leads --out "$DIR/export.csv"
seconds() { # wall clock of a run, as /usr/bin/time -v writes it (h:mm:ss or m:ss.ss)
  grep "Elapsed (wall clock)" "$DIR/$1.time" | awk '{n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}'
}
awk -v a="$(seconds leadline-import)" -v b="$(seconds sqlite3-import)" -v f="$(seconds schema-floor)" \
  'BEGIN { printf "import / sqlite3 .import: %.1fx (budget 3x); the schema floor alone: %.1fx; import / floor: %.1fx\n", a / b, f / b, a / f }'
echo "leads in database: $(sqlite3 "$DIR/leadline.db" 'select count(*) from leads')"
echo "rows exported:     $(($(wc -l < "$DIR/export.csv") - 1))"
tail -n 8 "$DIR/leadline-import.out"
