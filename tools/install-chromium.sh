#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests, where this machine allows it.
# Where it cannot (no root, no apt-get), the browser tests skip and say why.
set -u
# fonts-noto-cjk: the Chinese labels of the widget (Chromium) and of the plots (matplotlib).
# bubblewrap: the grader's OS isolation (raftlib/checks/isolation.py).
if command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . \
   && command -v bwrap >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: not root or no apt-get: browser tests will be skipped" >&2
  exit 0
fi
echo "install-chromium: apt-get install chromium (once, about a minute)" >&2
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk bubblewrap >/dev/null \
  || echo "install-chromium: apt-get failed: browser tests will be skipped, grading not OS-isolated" >&2
exit 0
