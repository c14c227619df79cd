// berth's thin client (docs/startup.md). bin/berth runs it as
//   berth-client NODE [V8 FLAGS] --snapshot-blob BLOB -- [berth's arguments]
// It hands the arguments, environment, working directory, umask and its stdin/stdout/stderr
// (the descriptors themselves, so terminals, pipes and files stay what they are) to a warm
// worker of this user's berth agent (src/agent.ts), forwards signals to it, and exits with the
// worker's exit status. With no agent running it starts one and waits for it; when no agent can
// serve (no private runtime directory, a refusal, BERTH_NO_AGENT=1) it runs the command line it
// was given, which is the same berth without the agent.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL "berth-agent 1"

extern char **environ;
static char **direct;       // NODE ... -- args: the command line without the agent
static char **agent_argv;   // NODE ... (up to, not including, the "--")
static volatile sig_atomic_t worker_pid;
static volatile sig_atomic_t last_signal;
static struct sigaction handler;

// Takes sig's default action now, as berth itself would (also from within its handler).
static void raise_default(int sig) {
  signal(sig, SIG_DFL);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, sig);
  sigprocmask(SIG_UNBLOCK, &s, NULL);
  raise(sig);
}

// Ctrl-Z as a plain process takes it: stop (the shell reports the job stopped) until SIGCONT
// (fg, bg). A process group the kernel deems orphaned drops SIGTSTP, as it would for berth.
static void stop_self(void) {
  raise_default(SIGTSTP);
  sigaction(SIGTSTP, &handler, NULL);
}

static void run_direct(void) {
  execv(direct[0], direct);
  fprintf(stderr, "berth: cannot run %s: %s\n", direct[0], strerror(errno));
  _exit(127);
}

static void on_signal(int sig) {
  if (sig == SIGTSTP && worker_pid <= 0) {
    stop_self();
    return;
  }
  if (sig != SIGWINCH && sig != SIGTSTP) last_signal = sig;
  if (worker_pid > 0) {
    kill(worker_pid, sig);
  } else if (sig != SIGWINCH) {
    // Before a worker has the command nothing has run: end as berth would, of the signal.
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
  return h;
}

// The agent's identity: this blob (device, inode, mtime) started by this node binary. A rebuild
// or another node gives another socket, so a client never talks to a worker of another build.
static int agent_id(char *out, size_t n, const char *blob) {
  struct stat b, e;
  if (stat(blob, &b) < 0 || stat(direct[0], &e) < 0) return -1;
  uint64_t h = 14695981039346656037ULL;
  h = fnv(h, &b.st_dev, sizeof b.st_dev);
  h = fnv(h, &b.st_ino, sizeof b.st_ino);
  h = fnv(h, &b.st_mtim, sizeof b.st_mtim);
  h = fnv(h, &b.st_size, sizeof b.st_size);
  h = fnv(h, &e.st_ino, sizeof e.st_ino);
  h = fnv(h, &e.st_mtim, sizeof e.st_mtim);
  for (char **a = agent_argv; *a; a++) h = fnv(h, *a, strlen(*a) + 1);
  snprintf(out, n, "%016llx", (unsigned long long)h);
  return 0;
}

// A directory only this user can enter: $XDG_RUNTIME_DIR/berth, else /tmp/berth-UID.
static int runtime_dir(char *out, size_t n) {
  const char *x = getenv("XDG_RUNTIME_DIR");
  if (x && *x) snprintf(out, n, "%s/berth", x);
  else snprintf(out, n, "/tmp/berth-%u", (unsigned)getuid());
  if (mkdir(out, 0700) < 0 && errno != EEXIST) return -1;
  struct stat s;
  if (lstat(out, &s) < 0 || !S_ISDIR(s.st_mode) || s.st_uid != getuid() || (s.st_mode & 077))
    return -1;
  return 0;
}

static int try_connect(const char *path) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a.sun_path) return -1;
  strcpy(a.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

// Starts the agent (the same node command line, in agent mode) detached from this terminal and
// session, and waits until it answers.
static int start_agent(const char *path) {
  pid_t p = fork();
  if (p < 0) return -1;
  if (p == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2) close(null);
    // Nothing else the caller had open may live on in the agent: a pipe a script or CI reads to
    // its end would otherwise stay open until the agent exits, minutes later.
    for (int fd = 3; fd < 1024; fd++) close(fd);
    setenv("BERTH_AGENT_SOCKET", path, 1);
    execv(agent_argv[0], agent_argv);
    _exit(127);
  }
  waitpid(p, NULL, 0);
  for (long end = now_ms() + 10000; now_ms() < end;) {
    int fd = try_connect(path);
    if (fd >= 0) return fd;
    usleep(2000);
  }
  return -1;
}

struct buf {
  char *p;
  size_t n, cap;
};
static void put(struct buf *b, const char *s) {
  size_t l = strlen(s) + 1;
  if (b->n + l > b->cap) {
    b->cap = (b->n + l) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) run_direct();
  }
  memcpy(b->p + b->n, s, l);
  b->n += l;
}

static int send_request(int fd, const char *id, char **args, int nargs) {
  struct buf b = {0};
  char tmp[64];
  b.n = 4;
  b.cap = 4096;
  b.p = malloc(b.cap);
  if (!b.p) return -1;
  put(&b, PROTOCOL);
  put(&b, id);
  char *cwd = getcwd(NULL, 0);
  if (!cwd) return -1;
  put(&b, cwd);
  free(cwd);
  mode_t m = umask(0);
  umask(m);
  snprintf(tmp, sizeof tmp, "%o", (unsigned)m);
  put(&b, tmp);
  snprintf(tmp, sizeof tmp, "%d", nargs);
  put(&b, tmp);
  for (int i = 0; i < nargs; i++) put(&b, args[i]);
  for (char **e = environ; *e; e++) put(&b, *e);
  uint32_t len = (uint32_t)(b.n - 4);
  b.p[0] = (char)(len >> 24);
  b.p[1] = (char)(len >> 16);
  b.p[2] = (char)(len >> 8);
  b.p[3] = (char)len;
  int fds[3] = {0, 1, 2};
  char control[CMSG_SPACE(sizeof fds)];
  memset(control, 0, sizeof control);
  struct iovec iov = {.iov_base = b.p, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                       .msg_controllen = sizeof control};
  struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
  h->cmsg_level = SOL_SOCKET;
  h->cmsg_type = SCM_RIGHTS;
  h->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(h), fds, sizeof fds);
  // The descriptors ride on the first byte; the rest follows as plain data.
  if (sendmsg(fd, &msg, MSG_NOSIGNAL) != 1) return -1;
  for (size_t off = 1; off < b.n;) {
    ssize_t w = send(fd, b.p + off, b.n - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    off += (size_t)w;
  }
  free(b.p);
  return 0;
}

// One reply line ("P pid", "X code", "F reason", "T": stop), or NULL at end of stream.
static char *read_line(int fd, char *line, size_t n) {
  size_t got = 0;
  while (got + 1 < n) {
    ssize_t r = read(fd, line + got, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return NULL;
    if (line[got] == '\n') break;
    got++;
  }
  line[got] = 0;
  return line;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: berth-client NODE [FLAGS] --snapshot-blob BLOB -- [ARGS]\n");
    return 125;
  }
  direct = argv + 1;
  int sep = 0;
  const char *blob = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--")) {
      sep = i;
      break;
    }
    if (!strcmp(argv[i], "--snapshot-blob") && i + 1 < argc) blob = argv[i + 1];
  }
  const char *off = getenv("BERTH_NO_AGENT");
  if (!sep || !blob || (off && *off && strcmp(off, "0"))) run_direct();
  // One agent per blob however its path is spelt (bin/berth through a symlink, a relative path).
  char *real = realpath(blob, NULL);
  agent_argv = calloc((size_t)sep, sizeof(char *));
  if (!agent_argv || !real) run_direct();
  for (int i = 1; i < sep; i++) agent_argv[i - 1] = argv[i] == blob ? real : argv[i];
  blob = real;

  char dir[4096], path[4200], id[32];
  if (runtime_dir(dir, sizeof dir) < 0 || agent_id(id, sizeof id, blob) < 0) run_direct();
  snprintf(path, sizeof path, "%s/agent-%s.sock", dir, id);

  handler.sa_handler = on_signal;
  handler.sa_flags = SA_RESTART;
  sigemptyset(&handler.sa_mask);
  // SIGTSTP goes to the worker, which either hands it to the command (run's sig-proxy) or
  // answers "T": the command stops as a whole, see below.
  int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGTSTP};
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaction(forwarded[i], &handler, NULL);

  int fd = try_connect(path);
  if (fd < 0) fd = start_agent(path);
  if (fd < 0 || send_request(fd, id, argv + sep + 1, argc - sep - 1) < 0) run_direct();

  // A worker answers "P pid" when it can take the command, and runs it only on the client's "G":
  // a client that waited too long (every worker busy, a new one still starting) runs the command
  // itself instead, and it never runs twice.
  const char *wait = getenv("BERTH_AGENT_WAIT_MS");
  struct pollfd pf = {.fd = fd, .events = POLLIN};
  char line[256];
  if (poll(&pf, 1, wait && *wait ? atoi(wait) : 2000) != 1 || !read_line(fd, line, sizeof line) ||
      line[0] != 'P') {
    close(fd);
    run_direct();
  }
  worker_pid = atoi(line + 2);
  if (send(fd, "G", 1, MSG_NOSIGNAL) != 1) {
    worker_pid = 0;
    close(fd);
    run_direct();
  }
  while (read_line(fd, line, sizeof line)) {
    if (line[0] == 'X') return atoi(line + 2);
    if (line[0] == 'T') {
      // The command does not take Ctrl-Z itself: the worker stops here (SIGSTOP, as its own
      // process group is orphaned and would drop SIGTSTP) and before the client, so nothing
      // writes to the terminal once the shell has the job stopped; fg/bg resume both.
      kill(worker_pid, SIGSTOP);
      stop_self();
      kill(worker_pid, SIGCONT);
    }
  }
  // The worker died without an exit status: of the signal forwarded to it, most likely, which
  // is how berth itself would have ended.
  if (last_signal) raise_default(last_signal);
  fprintf(stderr, "berth: the agent's worker ended without an exit status\n");
  return 125;
}
