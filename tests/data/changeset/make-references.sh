#!/bin/sh
# Rebuilds the reference listings from cases.txt with a Docker engine (20.10.24, BuildKit):
#   DOCKER_HOST=unix://SOCK tests/data/changeset/make-references.sh
# The engine needs the base `busybox:fixture`: `docker import` of a directory holding
# Debian's static busybox as /bin/busybox with links for sh ls mkdir rm ln echo cat mv
# touch chmod chown mkfifo, an /etc/passwd and a 1777 /tmp.
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOCKER_BUILDKIT=1
while IFS='|' read -r name rest; do
    case "$name" in '' | '#'*) continue ;; esac
    mkdir -p "$work/$name/image"
    {
        echo 'FROM busybox:fixture'
        printf '%s\n' "$rest" | tr '|' '\n' | sed 's/^/RUN /'
    } > "$work/$name/Dockerfile"
    docker build -q --network=host -t "changeset:$name" "$work/$name" > /dev/null
    docker save "changeset:$name" | tar -x -C "$work/$name/image"
    python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[0]["Layers"]))' \
        "$work/$name/image/manifest.json" > "$work/$name/layers"
    : > "$here/$name.txt"
    i=0
    while read -r layer; do
        if [ $i -gt 0 ]; then # layer 0 is the base
            echo "# layer $i" >> "$here/$name.txt"
            python3 "$here/dump-layer.py" "$work/$name/image/$layer" >> "$here/$name.txt"
        fi
        i=$((i + 1))
    done < "$work/$name/layers"
    docker rmi "changeset:$name" > /dev/null
done < "$here/cases.txt"
