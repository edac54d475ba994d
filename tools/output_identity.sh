#!/usr/bin/env bash
# Builds every document msgen is tested on, with every backend and both sides, at two commits, and
# compares the trees byte for byte: the evidence that a refactoring changed nothing for users.
#   tools/output_identity.sh BASE [HEAD]    (HEAD defaults to the working tree)
# KEEP=DIR keeps BASE's trees in DIR and reuses them on the next run with the same DIR.
set -euo pipefail
top=$(git rev-parse --show-toplevel)
base=${1:?usage: tools/output_identity.sh BASE [HEAD]}
head=${2:-}
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

documents() {
  (cd "$1" && ls specs/*.yaml tests/fixtures/*.yml tests/fixtures/chat/chat.yaml \
    tests/fixtures/{connection,payloads,shapes,streams}/*.yaml tests/fixtures/events/*.json \
    tests/fixtures/{deepgram,elevenlabs-tts}/asyncapi.yml tests/fixtures/speechmatics-rt/realtime.yaml \
    tests/fixtures/kraken-request-reply/*.yml)
}

# build_all CHECKOUT OUT: every document x backend x side into OUT/<doc>/<backend>-<side>.
build_all() {
  local checkout=$1 out=$2
  local venv; venv=$(mktemp -d)
  python3 -m venv "$venv" && "$venv/bin/pip" install -q -c "$checkout/constraints.txt" "$checkout" >/dev/null 2>&1
  for doc in $(documents "$checkout"); do
    for models in dataclasses msgspec pydantic; do
      for side in peer application; do
        dest="$out/${doc//\//_}/$models-$side"
        mkdir -p "$(dirname "$dest")"
        (cd "$checkout" && "$venv/bin/msgen" build "$doc" --out "$dest" --models "$models" \
           --side "$side" >/dev/null 2>"$dest.log") || echo "exit $?" >>"$dest.log"
        sed -i "s|$dest|OUT|g" "$dest.log"
        # The renderer's digest differs between any two commits that change msgen, and the spec's
        # path from the output between two checkouts: neither is what a refactoring may change.
        sed -i -e 's/^MSGEN_VERSION: Final = .*/MSGEN_VERSION: Final = "(the renderer)"/' \
          -e 's/^SPEC_PATH: Final = .*/SPEC_PATH: Final = "(the spec)"/' \
          -e 's/^BUILD: Final = "msgen build [^ ]* /BUILD: Final = "msgen build (the spec) /' \
          "$dest"/*/_generated.py 2>/dev/null || true
      done
    done
  done
  rm -rf "$venv"
}

git -C "$top" worktree add --detach "$work/base" "$base" >/dev/null 2>&1
if [ -n "$head" ]; then
  git -C "$top" worktree add --detach "$work/head" "$head" >/dev/null 2>&1
  checkout_head="$work/head"
else
  checkout_head="$top"
fi
before=${KEEP:-$work/before}
[ -d "$before" ] || build_all "$work/base" "$before"
build_all "$checkout_head" "$work/after"
[ -n "$head" ] && git -C "$top" worktree remove --force "$work/head" >/dev/null
n=$(find "$before" -type f -not -name '*.log' | wc -l)
if diff -r "$before" "$work/after" >"$work/diff"; then
  echo "identical: $n files from $(documents "$top" | wc -l) documents x 3 backends x 2 sides"
else
  # Which files differ, by their path inside a build (every document and variant counted).
  diff -rq "$before" "$work/after" | sed -E "s#^Files $before/[^/]+/[^/]+/([^ ]+) and .*#\1#; s#^Only in ([^:]+): (.*)#only-one-side: \1/\2#" \
    | sed -E "s#^only-one-side: ($before|$work/after)/[^/]+/[^/]+/?#only-one-side: #" | sort | uniq -c | sort -rn
  echo "DIFFERENT ($(grep -c '^diff\|^Only' "$work/diff") files)"; exit 1
fi
