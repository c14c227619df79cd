#!/bin/sh
# `ctr run --rm IMAGE ID true` with a fresh container id for every run (ctr needs one).
# Usage: ctr-run.sh ADDRESS NAMESPACE IMAGE
exec ctr --address "$1" --namespace "$2" run --rm "$3" "ctr-run-$$" true
