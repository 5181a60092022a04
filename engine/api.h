/* SPDX-License-Identifier: Apache-2.0 */
/* api.h: the control API of live and kiosk sessions: HTTP/JSON on
 * 127.0.0.1 by default (libmicrohttpd). POST /v1/say, /v1/chat,
 * /v1/interrupt, /v1/comments; GET /v1/status, /v1/events (server-sent
 * events), /metrics (Prometheus). Optional bearer token; it refuses to
 * listen beyond loopback without one. */
#ifndef SZ_ENGINE_API_H
#define SZ_ENGINE_API_H

#include <stddef.h>

#include "engine/host.h"

typedef struct api_params {
    const char *host;      /* address to bind; NULL = "127.0.0.1" */
    int port;              /* 0 = any free port (see api_port) */
    const char *token;     /* NULL or "": no auth (loopback only) */
    size_t max_body_bytes; /* default 64 KiB; larger bodies get 413 */
    int max_connections;   /* at once, default 256 (one thread each) */
    int max_per_ip;        /* at once from one address, default 16: an address
                            * holding idle or trickling connections cannot
                            * starve the others (0: no limit) */
    int max_event_clients; /* GET /v1/events readers at once; default 8 */
    const char *mode;      /* reported by /v1/status: "live", "kiosk" */
} api_params;

api_params api_default_params(void);

typedef struct api_server api_server;

int api_start(const api_params *p, host *h, api_server **out, char *err, size_t errlen);
/* api_start in two steps: api_bind takes the address and port (a port in use
 * fails here, before a session opens its outputs); connections wait until
 * api_serve starts answering them. */
int api_bind(const api_params *p, host *h, api_server **out, char *err, size_t errlen);
int api_serve(api_server *a, char *err, size_t errlen);
/* The port it listens on. */
int api_port(const api_server *a);
/* Stops listening, ends the event streams, waits for open requests. */
void api_stop(api_server **a);

#endif
