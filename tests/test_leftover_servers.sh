#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_leftover_servers.sh: CI check that no test left a server running. Test
# servers (nginx-rtmp, SRT listeners) run from /tmp/shuzi-srv-<pid>-XXXXXX,
# where <pid> is the test that started them (tests/servers.h). A server whose
# test is gone is a leftover: it is reported, killed, and the check fails.
# Also Xvfb displays of test_local_xvfb.sh left without their script.
# Servers of tests still running (ctest -j) are left alone.
set -u
fails=0
for proc in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' < "$proc/cmdline" 2>/dev/null) || continue
  case "$cmd" in *"/tmp/shuzi-srv-"*) ;; *) continue ;; esac
  pid=${proc#/proc/}
  owner=$(printf '%s' "$cmd" | sed -n 's|.*/tmp/shuzi-srv-\([0-9]*\)-.*|\1|p' | head -1)
  [ -n "$owner" ] || continue
  if [ -d "/proc/$owner" ]; then
    echo "ok: server $pid belongs to test $owner, still running"
    continue
  fi
  echo "FAIL: server $pid outlived its test $owner: $cmd"
  kill -KILL "$pid" 2>/dev/null
  fails=$((fails + 1))
done
# Virtual displays of test_local_xvfb.sh whose script is gone (their parent is init).
for proc in /proc/[0-9]*; do
  cmd=$(tr '\0' ' ' < "$proc/cmdline" 2>/dev/null) || continue
  case "$cmd" in "Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp"*) ;; *) continue ;; esac
  ppid=$(awk '/^PPid:/ {print $2}' "$proc/status" 2>/dev/null)
  [ "$ppid" = "1" ] || continue
  pid=${proc#/proc/}
  echo "FAIL: virtual display $pid outlived its test: $cmd"
  kill -KILL "$pid" 2>/dev/null
  fails=$((fails + 1))
done
# Folders left by tests that are gone (/tmp/shuzi-srv-<pid>-*, /tmp/shuzi-xvfb-<pid>-*).
for d in /tmp/shuzi-srv-* /tmp/shuzi-xvfb-*; do
  [ -d "$d" ] || continue
  owner=$(basename "$d" | sed -n 's|shuzi-[a-z]*-\([0-9]*\)-.*|\1|p')
  if [ -n "$owner" ] && [ ! -d "/proc/$owner" ]; then
    echo "FAIL: $d left behind by test $owner"
    rm -rf "$d"
    fails=$((fails + 1))
  fi
done
[ $fails -eq 0 ] && echo "ok: no server or server folder left by a finished test"
[ $fails -eq 0 ]
