#!/usr/bin/env bash
# A Docker daemon and the cpsolve sandbox image, on a fresh Debian bookworm machine where we are
# root and no image registry is reachable. Assumes the cpsolve venv is active.
# Idempotent: a daemon that already answers is reused; an existing image is kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null \
  || ! command -v bwrap >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq docker.io debootstrap bubblewrap >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "dockerd: already answering, reused"
else
  log=/var/log/cpsolve-dockerd.log
  echo "dockerd: starting (log in $log)"
  # vfs works on any filesystem (no overlay in nested containers); no iptables, no bridge:
  # the sandbox containers run with network_mode=none anyway.
  nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >"$log" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "dockerd did not answer within 60 s; its log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  echo "dockerd: answering"
fi

# `cpsolve sandbox build` skips the work when the image already exists (unless --force).
cpsolve sandbox build --offline
