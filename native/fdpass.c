// berth's agent worker (src/agent.ts) needs three things Node has no API for: accepting a
// connection on a Unix socket without the event loop (a warm worker blocks here while idle),
// receiving the client's stdin/stdout/stderr as SCM_RIGHTS file descriptors, and dup2() to make
// them the worker's own fds 0, 1 and 2. Built by scripts/build.mjs with the system C compiler.
// Node-API is ABI-stable, so the few declarations used are written out here rather than taken
// from Node's headers (which Debian's nodejs package does not ship).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
extern napi_status napi_get_cb_info(napi_env, napi_callback_info, size_t *, napi_value *,
                                    napi_value *, void **);
extern napi_status napi_get_value_int32(napi_env, napi_value, int32_t *);
extern napi_status napi_get_value_string_utf8(napi_env, napi_value, char *, size_t, size_t *);
extern napi_status napi_create_int32(napi_env, int32_t, napi_value *);
extern napi_status napi_create_function(napi_env, const char *, size_t, napi_callback, void *,
                                        napi_value *);
extern napi_status napi_set_named_property(napi_env, napi_value, const char *, napi_value);
extern napi_status napi_throw_error(napi_env, const char *, const char *);
extern napi_status napi_get_null(napi_env, napi_value *);
extern napi_status napi_create_object(napi_env, napi_value *);
extern napi_status napi_create_buffer_copy(napi_env, size_t, const void *, void **, napi_value *);
extern napi_status napi_create_array_with_length(napi_env, size_t, napi_value *);
extern napi_status napi_set_element(napi_env, napi_value, uint32_t, napi_value);

#define MAX_REQUEST (4 << 20)
#define MAX_FDS 3

static napi_value fail(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int args(napi_env env, napi_callback_info info, napi_value *argv, size_t n) {
  size_t argc = n;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == 0 && argc == n;
}

static napi_value int_value(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

// listen(path): a listening socket at path, mode 0600, close-on-exec.
static napi_value js_listen(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  size_t len;
  if (!args(env, info, argv, 1) ||
      napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &len) != 0 ||
      len >= sizeof addr.sun_path - 1) {
    napi_throw_error(env, NULL, "listen(path): path missing or too long");
    return NULL;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(env, "socket");
  mode_t old = umask(0177);
  int r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (r < 0 || chmod(addr.sun_path, 0600) < 0 || listen(fd, 64) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return fail(env, "bind");
  }
  return int_value(env, fd);
}

static int read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

// accept(listenFd, timeoutMs): null when nobody connected in time; otherwise
// { fd, pid, request: Buffer, fds: [stdin, stdout, stderr] } from a client of this user. The request
// is a 4-byte big-endian length and that many bytes; the fds ride on its first byte.
static napi_value js_accept(napi_env env, napi_callback_info info) {
  napi_value argv[2], nul;
  int32_t lfd, timeout;
  napi_get_null(env, &nul);
  if (!args(env, info, argv, 2) || napi_get_value_int32(env, argv[0], &lfd) != 0 ||
      napi_get_value_int32(env, argv[1], &timeout) != 0) {
    napi_throw_error(env, NULL, "accept(fd, timeoutMs)");
    return NULL;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long deadline = now.tv_sec * 1000LL + now.tv_nsec / 1000000 + timeout;
  for (;;) {
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long left = deadline - (now.tv_sec * 1000LL + now.tv_nsec / 1000000);
    int r = poll(&p, 1, left > 0 ? (int)left : 0);
    // Interrupted (a signal, a profiler's SIGPROF): wait for what is left of the timeout.
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail(env, "poll");
    if (r == 0) return nul;
    int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) continue;
      return fail(env, "accept");
    }
    struct ucred cred;
    socklen_t cl = sizeof cred;
    struct timeval tv = {.tv_sec = 5};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != getuid()) {
      close(c);
      continue;
    }
    unsigned char hdr[4];
    int fds[MAX_FDS];
    int nfds = 0;
    char control[CMSG_SPACE(sizeof fds)];
    struct iovec iov = {.iov_base = hdr, .iov_len = sizeof hdr};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof control};
    ssize_t n;
    do n = recvmsg(c, &m, MSG_CMSG_CLOEXEC | MSG_WAITALL);
    while (n < 0 && errno == EINTR);
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
      if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
        int k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < k; i++) {
          int f;
          memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof f);
          if (nfds < MAX_FDS) fds[nfds++] = f;
          else close(f);
        }
      }
    }
    // The descriptors ride on the first byte alone; the rest of the header follows.
    if (n > 0 && n < (ssize_t)sizeof hdr && read_full(c, hdr + n, sizeof hdr - (size_t)n) == 0)
      n = sizeof hdr;
    uint32_t len = (uint32_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
    char *body = NULL;
    if (n != sizeof hdr || nfds != MAX_FDS || len > MAX_REQUEST || !(body = malloc(len + 1)) ||
        read_full(c, body, len) < 0) {
      free(body);
      for (int i = 0; i < nfds; i++) close(fds[i]);
      close(c);
      continue;
    }
    tv.tv_sec = 0;
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    napi_value out, buf, arr;
    napi_create_object(env, &out);
    napi_set_named_property(env, out, "fd", int_value(env, c));
    napi_set_named_property(env, out, "pid", int_value(env, cred.pid));
    napi_create_buffer_copy(env, len, body, NULL, &buf);
    free(body);
    napi_set_named_property(env, out, "request", buf);
    napi_create_array_with_length(env, MAX_FDS, &arr);
    for (int i = 0; i < MAX_FDS; i++) napi_set_element(env, arr, (uint32_t)i, int_value(env, fds[i]));
    napi_set_named_property(env, out, "fds", arr);
    return out;
  }
}

// dup2(from, to): to becomes a copy of from (without close-on-exec, as stdio must be).
static napi_value js_dup2(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t from, to;
  if (!args(env, info, argv, 2) || napi_get_value_int32(env, argv[0], &from) != 0 ||
      napi_get_value_int32(env, argv[1], &to) != 0) {
    napi_throw_error(env, NULL, "dup2(from, to)");
    return NULL;
  }
  int r;
  do r = dup2(from, to);
  while (r < 0 && errno == EINTR);
  if (r < 0) return fail(env, "dup2");
  return int_value(env, r);
}

napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
      {"listen", js_listen}, {"accept", js_accept}, {"dup2", js_dup2}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, (size_t)-1, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
