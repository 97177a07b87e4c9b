#!/usr/bin/env bash
# The generated bash completion, sourced as bash-completion sources it, asked for the
# candidates of a command line the way Tab asks (COMP_WORDS, COMP_CWORD, then the
# function `complete -F` names), in an empty directory so no file names interfere.
# The script is what `stagecraft completion bash` prints, as the build makes it; when the
# build's copy is there (not in scripts/test-as-user's copy of the tests) it must be the same.
# Usage: tst_completion_bash.sh STAGECRAFT BUILT_COMPLETION_SCRIPT IMAGES_DIR
set -uo pipefail
bin=$(realpath "$1")
built=$2
images=$(realpath "$3")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
script=$dir/stagecraft.bash
"$bin" completion bash >"$script" || { echo "FAIL: stagecraft completion bash"; exit 1; }
if [ -f "$built" ] && ! cmp -s "$built" "$script"; then
  echo "FAIL: $built differs from what stagecraft completion bash prints"
  exit 1
fi
export PATH="$(dirname "$bin"):$PATH"
export STAGECRAFT_STORE="$dir/store"
# shellcheck source=/dev/null
source "$script"
function=$(complete -p stagecraft | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$function" ] || { echo "FAIL: the script registers no completion function for stagecraft"; exit 1; }

# Candidates for the line; the last word is the one being completed. Sorted, one line.
candidates() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  "$function" stagecraft "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
failed=0
expect() {
  local want=$1 line=$2
  shift 2
  local got
  got=$(candidates "$@")
  if [ "$got" = "$want" ]; then
    echo "PASS: $line -> $got"
  else
    echo "FAIL: $line: want '$want', got '$got'"
    failed=1
  fi
}

expect "build" "stagecraft bu<Tab>" stagecraft bu
expect "--target" "stagecraft build --tar<Tab>" stagecraft build --tar
expect "--file --fix --format" "stagecraft check --f<Tab>" stagecraft check --f
expect "dot json text" "stagecraft graph --format <Tab>" stagecraft graph --format ""
expect "gc verify" "stagecraft store <Tab>" stagecraft store ""
expect "--version" "stagecraft --vers<Tab>" stagecraft --vers

# Stage names from the Dockerfile given with -f, lower-cased as BuildKit reads them, and
# from CONTEXT/Dockerfile for build when there is no -f.
cat >multi.Dockerfile <<'DOCKERFILE'
FROM golang:1.22 AS Builder
RUN echo \
  building
FROM builder AS test
FROM --platform=linux/amd64 scratch AS final
COPY --from=builder /out /out
DOCKERFILE
expect "builder final test" "stagecraft build -f multi.Dockerfile --target <Tab>" \
  stagecraft build -f multi.Dockerfile --target ""
expect "final" "stagecraft graph --file=multi.Dockerfile --target f<Tab>" \
  stagecraft graph --file=multi.Dockerfile --target f
mkdir ctx
printf 'FROM scratch AS one\nFROM one AS two\n' >ctx/Dockerfile
expect "one two" "stagecraft build -t x:1 ctx --target <Tab>" stagecraft build -t x:1 ctx --target ""
expect "" "stagecraft build --target <Tab> (no Dockerfile here)" stagecraft build --target ""

# Image names from the store (STAGECRAFT_STORE, or --store on the line).
"$bin" import "$images/final.oci" -t demo:1 >/dev/null || { echo "FAIL: import"; exit 1; }
expect "demo:1" "stagecraft run de<Tab>" stagecraft run de
STAGECRAFT_STORE="$dir/empty" expect "demo:1" "stagecraft inspect --store STORE de<Tab>" stagecraft inspect --store "$STAGECRAFT_STORE" de

exit $failed
