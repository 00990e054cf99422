#!/usr/bin/env bash
# Installs and starts what the tests need, on a fresh machine too: a Docker engine (host networking,
# no bridge) and the local test images. Safe to run again: what is already there is left alone.
set -euo pipefail

log() { printf 'test-services: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v dockerd >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
  log "installing docker.io and busybox-static"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq docker.io busybox-static >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (--bridge=none: containers use host networking)"
  as_root bash -c 'setsid dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/primeway-dockerd.log 2>&1 < /dev/null &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/primeway-dockerd.log"; exit 1; }
fi

# busybox:latest, made from Debian's static busybox: there is no registry to pull from here.
if ! docker image inspect busybox:latest >/dev/null 2>&1; then
  log "building busybox:latest from /bin/busybox"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - busybox:latest >/dev/null
  rm -rf "$root"
fi
# primeway-test/python:bookworm: Debian with python3 and pip, for the tests of apt_packages and requirements.
# apt inside it uses the host's own Debian mirror (its sources are copied in), reached over host networking.
if ! docker image inspect primeway-test/python:bookworm >/dev/null 2>&1; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq debootstrap >/dev/null
  fi
  mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d)
  log "building primeway-test/python:bookworm with debootstrap from $mirror (a few minutes)"
  as_root debootstrap --variant=minbase --include=python3,python3-pip bookworm "$root" "$mirror" >/tmp/primeway-debootstrap.log 2>&1 \
    || { log "debootstrap failed; see /tmp/primeway-debootstrap.log"; exit 1; }
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    as_root rm -f "$root/etc/apt/sources.list"
    as_root cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/debian.sources"
  fi
  as_root rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  as_root tar -C "$root" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["bash"]' - primeway-test/python:bookworm >/dev/null
  as_root rm -rf "$root"
fi

# A single-node swarm for the Swarm backend's tests; plain containers are unaffected by it.
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
  log "initialising a single-node swarm on 127.0.0.1"
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

# PostgreSQL on loopback for the PostgreSQL store and several server instances sharing one database.
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | grep -q "online"; then
  log "starting PostgreSQL $pg_version"
  pg_lsclusters -h | grep -q "^$pg_version main" || as_root pg_createcluster "$pg_version" main >/dev/null
  as_root pg_ctlcluster "$pg_version" main start
fi
# The tests' role and database: PRIMEWAY_TEST_POSTGRES points the tests at them.
as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='primeway'\" | grep -q 1 || psql -qc \"CREATE ROLE primeway LOGIN SUPERUSER PASSWORD 'primeway'\"" >/dev/null
as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='primeway_test'\" | grep -q 1 || createdb -O primeway primeway_test" >/dev/null

log "ready: $(docker version --format 'docker {{.Server.Version}} (API {{.Server.APIVersion}})')"
