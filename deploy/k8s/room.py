#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""room.py: prints the Kubernetes manifests of one shuzi live room (one pod):
a ConfigMap with the room's config and the files it names, a Deployment
running `shuzi live` from the image (deploy/Containerfile) with the control
API token from the Secret `shuzi-api`, readiness and liveness from
`GET /v1/status`, Prometheus annotations for `/metrics`, and a Service for
the control API. The room pushes to the media server of media-server.yaml.

    /usr/bin/python3 deploy/k8s/room.py NAME CONFIG.json [--image IMAGE]
        [--media rtmp://shuzi-media:1935/live] [--cpu 1] [--memory-mb 320]
        | kubectl apply -f -

NAME is the room's name (lower-case letters, digits and '-'); its stream is
MEDIA/NAME. Files the config names by a relative path (product images, a
background, an FAQ) go into the ConfigMap beside it.
"""
import argparse
import base64
import json
import os
import re
import sys

NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$")
FILE_KEYS = ("image", "background", "faq", "text_file")


def q(s):
    """A YAML scalar (a JSON string is one)."""
    return json.dumps(str(s), ensure_ascii=False)


def named_files(cfg, base):
    """Relative paths of existing files the config names."""
    out = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k in FILE_KEYS and isinstance(v, str) and not os.path.isabs(v) and \
                        os.path.isfile(os.path.join(base, v)):
                    out.append(v)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(cfg)
    return sorted(set(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("name")
    ap.add_argument("config")
    ap.add_argument("--image", default="shuzi:latest")
    ap.add_argument("--media", default="rtmp://shuzi-media:1935/live")
    ap.add_argument("--cpu", default="1")
    ap.add_argument("--memory-mb", type=int, default=320)
    a = ap.parse_args()
    if not NAME.match(a.name):
        sys.exit(f"room.py: the room name '{a.name}' must be lower-case letters, digits and '-' "
                 "(at most 42), starting and ending with a letter or digit")
    try:
        with open(a.config, encoding="utf-8") as f:
            text = f.read()
        cfg = json.loads(text)
    except (OSError, ValueError) as e:
        sys.exit(f"room.py: {a.config}: {e}")
    if not isinstance(cfg, dict):
        sys.exit(f"room.py: {a.config}: a room config is a JSON object")
    base = os.path.dirname(os.path.abspath(a.config))
    files = named_files(cfg, base)
    for p in files:
        if "/" in p or p.startswith("."):
            sys.exit(f"room.py: {a.config} names '{p}': put the file beside the config "
                     "(a ConfigMap holds no folders)")
    n = f"shuzi-room-{a.name}"
    labels = f"app: shuzi\n    room: {q(a.name)}"
    out = [f"""# room {a.name}: made by deploy/k8s/room.py from {os.path.basename(a.config)}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {n}
  labels:
    {labels}
data:
  room.json: {q(text)}"""]
    if files:
        out[0] += "\nbinaryData:\n" + "\n".join(
            f"  {p}: {base64.b64encode(open(os.path.join(base, p), 'rb').read()).decode()}"
            for p in files)
    probe = ["sh", "-c", 'curl -fsS -m 2 -H "Authorization: Bearer $SHUZI_API_TOKEN" '
             "http://127.0.0.1:8765/v1/status >/dev/null"]
    args = ["live", "--config", "/etc/shuzi/room.json", "--api-host", "0.0.0.0",
            "--api-port", "8765", "--out", f"{a.media.rstrip('/')}/{a.name}"]
    out.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}
  labels:
    {labels}
spec:
  replicas: 1
  strategy:
    type: Recreate          # never two pushers on one stream
  selector:
    matchLabels:
      app: shuzi
      room: {q(a.name)}
  template:
    metadata:
      labels:
        app: shuzi
        room: {q(a.name)}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "8765"
        prometheus.io/path: /metrics
    spec:
      securityContext:
        runAsNonRoot: true
      terminationGracePeriodSeconds: 15
      containers:
        - name: shuzi
          image: {q(a.image)}
          args: {json.dumps(args)}
          env:
            - name: SHUZI_API_TOKEN
              valueFrom:
                secretKeyRef:
                  name: shuzi-api
                  key: token
            - name: OPENBLAS_NUM_THREADS
              value: "1"
          ports:
            - name: api
              containerPort: 8765
          readinessProbe:
            exec:
              command: {json.dumps(probe)}
            initialDelaySeconds: 5
            periodSeconds: 5
          livenessProbe:
            exec:
              command: {json.dumps(probe)}
            initialDelaySeconds: 30
            periodSeconds: 10
            failureThreshold: 6
          resources:
            requests:
              cpu: {q(a.cpu)}
              memory: {a.memory_mb}Mi
            limits:
              memory: {a.memory_mb * 8 // 5}Mi
          volumeMounts:
            - name: room
              mountPath: /etc/shuzi
              readOnly: true
      volumes:
        - name: room
          configMap:
            name: {n}""")
    out.append(f"""apiVersion: v1
kind: Service
metadata:
  name: {n}
  labels:
    {labels}
spec:
  selector:
    app: shuzi
    room: {q(a.name)}
  ports:
    - name: api
      port: 8765
      targetPort: api""")
    print("\n---\n".join(out))


if __name__ == "__main__":
    main()
