#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_deploy.sh: the files for running many rooms (deploy/). room.py makes
# manifests that parse as Kubernetes objects with what a room needs (the
# config and its image in a ConfigMap, the token from the Secret, probes on
# /v1/status, metrics annotations, one pusher per stream, the media server's
# stream) and refuses bad names and configs; the other manifests parse; the
# media server's nginx config passes `nginx -t` with Debian's RTMP module;
# every package the Containerfiles install exists in Debian 12 and the build
# stage has every library setup.sh installs for the build. No cluster and
# no image build here (see docs/DESIGN.md, "Running many rooms").
set -u
SRC=${SHUZI_SOURCE_DIR:?}
. "$SRC/tests/testlib.sh" deploy
py=/usr/bin/python3
$py -c "import yaml" 2>/dev/null || { echo "skip: python3-yaml is not installed (./setup.sh installs it)"; exit 77; }

# manifests of one room from the demo config
if $py "$SRC/deploy/k8s/room.py" room7 "$SRC/demos/live.json" --image reg.example/shuzi:1 > "$T/room.yaml" 2> "$T/err"; then
  ok "room.py writes manifests"
else
  fail "room.py: $(cat "$T/err")"
fi
$py - "$T/room.yaml" "$SRC/demos/live.json" "$SRC/demos/kettle.png" <<'PY' > "$T/check.log" 2>&1 && ok "the room's manifests hold what a room needs" || { cat "$T/check.log"; fail "room manifests"; }
import base64, json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {d["kind"]: d for d in docs}
assert sorted(kinds) == ["ConfigMap", "Deployment", "Service"], sorted(kinds)
cm, dep, svc = kinds["ConfigMap"], kinds["Deployment"], kinds["Service"]
assert cm["data"]["room.json"] == open(sys.argv[2], encoding="utf-8").read(), "the config, byte for byte"
assert base64.b64decode(cm["binaryData"]["kettle.png"]) == open(sys.argv[3], "rb").read(), "the product image"
spec = dep["spec"]
assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
pod = spec["template"]["spec"]
c = pod["containers"][0]
assert c["image"] == "reg.example/shuzi:1"
args = c["args"]
assert args[:3] == ["live", "--config", "/etc/shuzi/room.json"], args
assert args[args.index("--api-host") + 1] == "0.0.0.0"
assert args[args.index("--out") + 1] == "rtmp://shuzi-media:1935/live/room7", args
env = {e["name"]: e for e in c["env"]}
assert env["SHUZI_API_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "shuzi-api", "key": "token"}
for p in ("readinessProbe", "livenessProbe"):
    cmd = " ".join(c[p]["exec"]["command"])
    assert "/v1/status" in cmd and "$SHUZI_API_TOKEN" in cmd, cmd
ann = spec["template"]["metadata"]["annotations"]
assert ann["prometheus.io/path"] == "/metrics" and ann["prometheus.io/port"] == "8765"
assert c["volumeMounts"][0]["mountPath"] == "/etc/shuzi"
assert pod["volumes"][0]["configMap"]["name"] == cm["metadata"]["name"]
assert svc["spec"]["selector"] == spec["selector"]["matchLabels"]
assert svc["spec"]["ports"][0]["port"] == 8765
print("manifests ok")
PY

# refusals: one line each, no manifests
for bad in "Room_1" "-x" ""; do
  if $py "$SRC/deploy/k8s/room.py" "$bad" "$SRC/demos/live.json" > "$T/out" 2> "$T/err"; then
    fail "room name '$bad' accepted"
  elif [ -s "$T/out" ] || ! grep -q "room" "$T/err"; then
    fail "room name '$bad': $(cat "$T/err")"
  else
    ok "room name '$bad' refused: $(head -c 100 "$T/err")"
  fi
done
printf '{"voice": ' > "$T/broken.json"
printf '[1, 2]' > "$T/list.json"
for cfg in "$T/broken.json" "$T/list.json" "$T/missing.json"; do
  if $py "$SRC/deploy/k8s/room.py" r1 "$cfg" > "$T/out" 2> "$T/err" || [ -s "$T/out" ]; then
    fail "config $(basename "$cfg") accepted"
  else
    ok "config $(basename "$cfg") refused: $(head -c 100 "$T/err")"
  fi
done

# the other manifests parse
for f in media-server.yaml secret.example.yaml prometheus-scrape.yaml; do
  if $py -c "import sys, yaml; list(yaml.safe_load_all(open(sys.argv[1])))" "$SRC/deploy/k8s/$f" 2> "$T/err"; then
    ok "$f parses"
  else
    fail "$f: $(cat "$T/err")"
  fi
done

# the media server's config, with Debian's nginx and RTMP module
if [ -x /usr/sbin/nginx ] && [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
  if /usr/sbin/nginx -t -c "$SRC/deploy/media/nginx-rtmp.conf" -e stderr > "$T/nginx.log" 2>&1; then
    ok "nginx -t accepts deploy/media/nginx-rtmp.conf"
  else
    fail "nginx -t: $(tail -3 "$T/nginx.log")"
  fi
else
  echo "skip: nginx with the RTMP module is not installed"
fi

# the Containerfiles install Debian 12 packages that exist, and the build
# stage has the libraries setup.sh installs for building
pkgs() { sed -n '/apt-get install/,/rm -rf/p' "$1" | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
         grep -vE '^(apt-get|install|rm|update|y|qq|no|recommends|DEBIAN_FRONTEND|curl|ca-certificates)$' | sort -u; }
for cf in "$SRC/deploy/Containerfile" "$SRC/deploy/media/Containerfile"; do
  missing=""
  for p in $(pkgs "$cf"); do
    apt-cache show "$p" > /dev/null 2>&1 || missing="$missing $p"
  done
  if [ -z "$missing" ]; then ok "$(basename "$(dirname "$cf")")/Containerfile: every package is in the archive"
  else fail "$cf names packages apt does not know:$missing"; fi
done
need=$(sed -n '/^PACKAGES=/,/"$/p' "$SRC/setup.sh" | tr ' "' '\n\n' | grep -E -- '-dev$' | grep -v '^libclang-rt' | sort -u)  # the sanitizer runtime is for fuzzing, not the image
have=$(pkgs "$SRC/deploy/Containerfile")
gap=$(comm -23 <(echo "$need") <(echo "$have") | tr '\n' ' ')
if [ -z "${gap// /}" ]; then ok "the build stage installs every -dev package setup.sh does"
else fail "deploy/Containerfile lacks setup.sh's: $gap"; fi
testlib_end
