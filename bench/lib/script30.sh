#!/bin/sh
# Thirty everyday commands, as a shell or CI script runs them one after another.
# Usage: script30.sh CLI IMAGE   (CLI: a docker-compatible command, e.g. "docker" or "bin/berth")
set -eu
c=$1
img=$2
q() { "$@" >/dev/null; }
q $c version
q $c images
q $c ps -a
q $c run --rm --network none "$img" true
q $c run --rm --network none "$img" echo hello
q $c create --network none --name s30-a "$img" sleep 300
q $c start s30-a
q $c ps
q $c inspect s30-a
q $c inspect -f '{{.State.Running}}' s30-a
q $c exec s30-a true
q $c exec s30-a echo hi
q $c logs s30-a
q $c ps -a -q
q $c images -q
q $c tag "$img" s30/tagged:1
q $c images
q $c rmi s30/tagged:1
q $c kill s30-a
q $c wait s30-a
q $c ps -a --filter name=s30-a
q $c rm s30-a
q $c run -d --network none --name s30-b "$img" sleep 300
q $c pause s30-b
q $c unpause s30-b
q $c kill s30-b
q $c rm s30-b
q $c volume ls
q $c network ls
q $c ps -a
