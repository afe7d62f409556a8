#!/usr/bin/env bash
# Smoke test of the frozen Linux bundle, run as a user would run it: unpacked from the
# tarball into a folder outside the checkout, in a clean environment (no virtual
# environment, no PYTHONPATH, a fresh HOME), Qt on its offscreen platform.
#
#     installer/smoke-test.sh [dist/desk-app-VERSION-linux-x86_64.tar.gz]
#
# Checks: --version prints the package's version; the install note's steps install it;
# a command refuses a missing database file while db upgrade creates it (the
# command-line contract); demo-data fills it; screenshot renders every tab to
# non-trivial PNGs; each exits 0 with no traceback.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' desk_app/__init__.py)
tarball=${1:-dist/desk-app-$version-linux-x86_64.tar.gz}
[ -f "$tarball" ] || { echo "smoke-test: no tarball $tarball (run make dist)" >&2; exit 1; }
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/shots"
tar -xzf "$tarball" -C "$tmp"
app="$tmp/desk-app/desk-app"
db="sqlite:///$tmp/smoke.db"

fail() { echo "smoke-test: $*" >&2; exit 1; }

# One command of the bundle, from the scratch folder, in a clean environment; its
# stdout is kept in $tmp/out, and a traceback on stderr fails the test even at rc 0.
run() {
  local rc=0
  (cd "$tmp" && env -i HOME="$tmp/home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
    QT_QPA_PLATFORM=offscreen DESK_PASSWORD=try-the-demo "$app" "$@") \
    >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$rc" -ne 0 ] || grep -q "Traceback" "$tmp/err"; then
    cat "$tmp/err" >&2
    fail "desk-app $* exited $rc"
  fi
  echo "ok: desk-app $*"
}

run --version
grep -qx "desk-app $version" "$tmp/out" || fail "--version printed '$(cat "$tmp/out")', not $version"

# The install note's per-user steps, as written (its indented block), into the
# scratch HOME: the menu entry must point at a program that runs.
note="$tmp/desk-app/INSTALL-LINUX.txt"
awk '/^For one user/{on=1; next} on && /^    /{sub(/^    /, ""); print; next} on && /^\(/{exit}' \
  "$note" >"$tmp/install-steps.sh"
[ -s "$tmp/install-steps.sh" ] || fail "no install steps found in INSTALL-LINUX.txt"
(cd "$tmp" && env -i HOME="$tmp/home" PATH=/usr/bin:/bin bash -eu "$tmp/install-steps.sh") ||
  fail "the install note's steps failed"
entry="$tmp/home/.local/share/applications/desk-app.desktop"
program=$(sed -n 's/^Exec=//p' "$entry")
[ -x "$program" ] || fail "the installed desktop entry runs '$program', which is not there"
[ -f "$tmp/home/.local/share/icons/hicolor/scalable/apps/$(sed -n 's/^Icon=//p' "$entry").svg" ] ||
  fail "the installed desktop entry's icon is missing"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$entry"; fi
app="$tmp/home/.local/bin/desk-app"  # from here on, the installed link runs everything
run --version
# The command-line contract: a missing file is never a silently new database (exit 1,
# nothing created), except for db upgrade, which creates and migrates it.
rc=0
(cd "$tmp" && env -i HOME="$tmp/home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
  "$app" --db "sqlite:///$tmp/missing.db" accounts list) >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && [ ! -e "$tmp/missing.db" ] && ! grep -q Traceback "$tmp/err" ||
  fail "a command on a missing database file exited $rc (or made the file), not 1"
echo "ok: a missing database file is refused"
run --db "$db" db upgrade
[ -s "$tmp/smoke.db" ] || fail "db upgrade made no database file"
run --db "$db" demo-data --seed 7 --trades 300
run --db "$db" --user sgoldberg screenshot --out "$tmp/shots"

# One picture per tab, each a real PNG of a drawn window (an empty one is a few KB).
shots=("$tmp"/shots/*.png)
[ "${#shots[@]}" -ge 5 ] && [ -f "${shots[0]}" ] || fail "screenshot wrote ${#shots[@]} PNGs"
for png in "${shots[@]}"; do
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "$png is no PNG"
  [ "$(stat -c %s "$png")" -gt 20000 ] || fail "$png is only $(stat -c %s "$png") bytes"
done
echo "smoke-test: the bundle works (${#shots[@]} screenshots, $(du -sh "$tmp/desk-app" | cut -f1))"
