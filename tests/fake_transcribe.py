# SPDX-License-Identifier: Apache-2.0
"""fake_transcribe.py: a local fake of the OpenAI transcription API for the
listening tests: POST /v1/audio/transcriptions (multipart, a WAV file part)
answered by mode: "ok" returns {"text": TEXT, "language": LANG} after
checking the upload is a 16 kHz mono 16-bit WAV; "error" answers 500;
"garbage" answers 200 with a body that is not a transcription; "slow"
answers after SLOW seconds. Prints its port on stdout, logs each request
(the WAV's duration) on stderr. Usage: fake_transcribe.py MODE TEXT LANG"""
import http.server
import io
import json
import sys
import time
import wave

MODE, TEXT, LANG = sys.argv[1], sys.argv[2], sys.argv[3]
SLOW = 30.0


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="application/json"):
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if self.path != "/v1/audio/transcriptions":
            return self.reply(404, '{"error": {"message": "no such path"}}')
        ctype = self.headers.get("Content-Type", "")
        if "multipart/form-data" not in ctype or "boundary=" not in ctype:
            return self.reply(400, '{"error": {"message": "expected multipart/form-data"}}')
        start = body.find(b"RIFF")
        if start < 0:
            return self.reply(400, '{"error": {"message": "no WAV in the upload"}}')
        try:
            w = wave.open(io.BytesIO(body[start:]), "rb")
            rate, ch, width, frames = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
        except Exception as e:  # a broken upload is the client's bug: say so
            return self.reply(400, json.dumps({"error": {"message": "bad WAV: %s" % e}}))
        sys.stderr.write("fake_transcribe: %s, %d Hz, %d ch, %d bytes/sample, %.2f s\n"
                         % (MODE, rate, ch, width, frames / float(rate or 1)))
        sys.stderr.flush()
        if rate != 16000 or ch != 1 or width != 2:
            return self.reply(400, '{"error": {"message": "expected 16 kHz mono 16-bit"}}')
        if MODE == "error":
            return self.reply(500, '{"error": {"message": "the model crashed"}}')
        if MODE == "garbage":
            return self.reply(200, '{"segments": 3}')
        if MODE == "slow":
            time.sleep(SLOW)
        return self.reply(200, json.dumps({"text": TEXT, "language": LANG}, ensure_ascii=False))


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
