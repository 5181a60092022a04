/* SPDX-License-Identifier: Apache-2.0 */
/* servers.h: test and bench helper that runs local servers: Debian's nginx with
 * the RTMP module (and the stream module for RTMPS) on 127.0.0.1, and any other
 * listener (ffmpeg, srt-live-transmit). Each server runs in a temporary folder
 * /tmp/shuzi-srv-<pid>-XXXXXX and gets SIGKILL when the process that started
 * it dies (PR_SET_PDEATHSIG), so none is ever left running. Header-only:
 * included by the programs that need it. */
#ifndef SZ_TESTS_SERVERS_H
#define SZ_TESTS_SERVERS_H

/* Helpers a program may not all use. */
#define SRV_FN static __attribute__((unused))

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SRV_NGINX "/usr/sbin/nginx"
#define SRV_RTMP_MODULE "/usr/lib/nginx/modules/ngx_rtmp_module.so"
#define SRV_STREAM_MODULE "/usr/lib/nginx/modules/ngx_stream_module.so"

SRV_FN int srv_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* 1 when something accepts TCP connections on 127.0.0.1:port. */
SRV_FN int srv_port_open(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

SRV_FN double srv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Starts argv[0] with stdout and stderr into log; it is killed if we die. */
SRV_FN pid_t srv_spawn(char *const argv[], const char *log)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* the child: only async-signal-safe calls until exec */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) {
        dup2(null, 0);
        close(null);
    }
    execv(argv[0], argv);
    _exit(127);
}

/* SIGTERM, then SIGKILL after timeout_s; reaps it. Returns 1 if it was running. */
SRV_FN int srv_stop_pid(pid_t *pid, double timeout_s)
{
    if (*pid <= 0)
        return 0;
    kill(*pid, SIGTERM);
    double end = srv_now() + timeout_s;
    int status;
    while (waitpid(*pid, &status, WNOHANG) == 0) {
        if (srv_now() > end) {
            kill(*pid, SIGKILL);
            waitpid(*pid, &status, 0);
            break;
        }
        usleep(10000);
    }
    *pid = 0;
    return 1;
}

/* Processes whose command line mentions text (our temporary folder). */
SRV_FN int srv_count_processes(const char *text)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    char path[300], buf[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t got = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (got <= 0)
            continue;
        for (ssize_t i = 0; i < got; i++)
            if (!buf[i])
                buf[i] = ' ';
        buf[got] = 0;
        if (strstr(buf, text))
            n++;
    }
    closedir(d);
    return n;
}

SRV_FN void srv_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            srv_rmtree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* A fresh /tmp/shuzi-srv-<pid>-XXXXXX. */
SRV_FN int srv_tempdir(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/shuzi-srv-%ld-XXXXXX", (long)getpid());
    return mkdtemp(dir) ? 0 : -1;
}

/* ---- nginx with the RTMP module ------------------------------------------ */

typedef struct rtmp_server {
    char dir[128];
    char conf[192], log[192], rec[192], cert[192], key[192];
    int port;     /* RTMP */
    int tls_port; /* RTMPS (TLS in front of RTMP), 0 when off */
    pid_t pid;
} rtmp_server;

/* 1 when nginx and its RTMP module are installed; why says what is missing. */
SRV_FN int rtmp_server_available(char *why, size_t cap)
{
    if (access(SRV_NGINX, X_OK) != 0) {
        snprintf(why, cap, "nginx is not installed (%s)", SRV_NGINX);
        return 0;
    }
    if (access(SRV_RTMP_MODULE, R_OK) != 0) {
        snprintf(why, cap, "the nginx RTMP module is not installed (%s)", SRV_RTMP_MODULE);
        return 0;
    }
    return 1;
}

/* 1 when RTMPS can be served: the stream module and openssl for a certificate. */
SRV_FN int rtmp_server_tls_available(void)
{
    return access(SRV_STREAM_MODULE, R_OK) == 0 && access("/usr/bin/openssl", X_OK) == 0;
}

/* Prepares the folder and config; tls: also an RTMPS port. Does not start. */
SRV_FN int rtmp_server_init(rtmp_server *s, int tls)
{
    memset(s, 0, sizeof *s);
    if (srv_tempdir(s->dir, sizeof s->dir) != 0)
        return -1;
    snprintf(s->conf, sizeof s->conf, "%s/nginx.conf", s->dir);
    snprintf(s->log, sizeof s->log, "%s/error.log", s->dir);
    snprintf(s->rec, sizeof s->rec, "%s/rec", s->dir);
    mkdir(s->rec, 0755);
    s->port = srv_free_port();
    if (tls) {
        snprintf(s->cert, sizeof s->cert, "%s/cert.pem", s->dir);
        snprintf(s->key, sizeof s->key, "%s/key.pem", s->dir);
        char cmd[700];
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                 "-keyout %s -out %s >/dev/null 2>&1",
                 s->key, s->cert);
        if (system(cmd) == 0)
            s->tls_port = srv_free_port();
    }
    FILE *f = fopen(s->conf, "w");
    if (!f)
        return -1;
    fprintf(f, "load_module %s;\n", SRV_RTMP_MODULE);
    if (s->tls_port)
        fprintf(f, "load_module %s;\n", SRV_STREAM_MODULE);
    fprintf(f,
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\n"
            "error_log %s info;\nevents { worker_connections 64; }\n"
            "rtmp {\n  server {\n    listen 127.0.0.1:%d;\n    chunk_size 4096;\n"
            "    application live {\n      live on;\n      record all;\n"
            "      record_path %s;\n      record_unique on;\n"
            "      allow publish 127.0.0.1;\n      deny publish all;\n"
            "      allow play 127.0.0.1;\n      deny play all;\n    }\n  }\n}\n",
            s->dir, s->log, s->port, s->rec);
    if (s->tls_port)
        fprintf(f,
                "stream {\n  server {\n    listen 127.0.0.1:%d ssl;\n"
                "    ssl_certificate %s;\n    ssl_certificate_key %s;\n"
                "    proxy_pass 127.0.0.1:%d;\n  }\n}\n",
                s->tls_port, s->cert, s->key, s->port);
    fclose(f);
    return 0;
}

/* Starts nginx and waits until it accepts connections (at most 10 s). */
SRV_FN int rtmp_server_start(rtmp_server *s)
{
    char *argv[] = {(char *)SRV_NGINX, (char *)"-c", s->conf, (char *)"-p", s->dir,
                    (char *)"-e",      s->log,       NULL};
    s->pid = srv_spawn(argv, s->log);
    if (s->pid < 0)
        return -1;
    double end = srv_now() + 10;
    while (srv_now() < end) {
        if (srv_port_open(s->port) && (!s->tls_port || srv_port_open(s->tls_port)))
            return 0;
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return -1;
        }
        usleep(20000);
    }
    srv_stop_pid(&s->pid, 2);
    return -1;
}

SRV_FN void rtmp_server_stop(rtmp_server *s)
{
    srv_stop_pid(&s->pid, 3);
}

/* Stops it and removes its folder; returns the number of processes still
 * mentioning the folder (0 expected). */
SRV_FN int rtmp_server_cleanup(rtmp_server *s)
{
    rtmp_server_stop(s);
    int left = srv_count_processes(s->dir);
    srv_rmtree(s->dir);
    return left;
}

/* Recordings of stream `name`, oldest first (nginx names them name-<time>.flv). */
SRV_FN int rtmp_server_recordings(const rtmp_server *s, const char *name, char out[][256], int max)
{
    DIR *d = opendir(s->rec);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    size_t len = strlen(name);
    while ((e = readdir(d)) && n < max) {
        if (!strncmp(e->d_name, name, len) && e->d_name[len] == '-')
            snprintf(out[n++], 256, "%.120s/%.120s", s->rec, e->d_name);
    }
    closedir(d);
    /* sort by name: the suffix is the start time */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(out[j], out[i]) < 0) {
                char t[256];
                memcpy(t, out[i], 256);
                memcpy(out[i], out[j], 256);
                memcpy(out[j], t, 256);
            }
    return n;
}

#endif
