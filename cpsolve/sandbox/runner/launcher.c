/* cpsolve's launcher: starts the in-box runner's processes (see launch.py for the protocol).
   Compiled by the runner when it starts (gcc -O2 [-static]) into its state directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXJOBS 256
#define TICK_MS 10 /* how often running jobs' CPU time and resident memory are read */
#define GUARD_BYTES (8ULL << 30) /* address space beyond the memory limit (reservations) */

/* why the launcher killed a job (the report's last field) */
enum { KEPT = 0, KILLED_WALL = 1, KILLED_CPU = 2, KILLED_MEMORY = 3 };

static int errw = -1;
/* --filtered: the launcher joined a fresh session keyring and installed the seccomp filter on
   itself when it started; its children inherit both (nothing is compiled per process) and may
   not ask for namespaces of their own (unshare is denied). */
static int filtered;

static void fail(const char *what) {
  char buf[600];
  int n = snprintf(buf, sizeof buf, "%s: %s", what, strerror(errno));
  if (write(errw, buf, n) < 0) {}
  _exit(127);
}

static void lim(int res, unsigned long long v, unsigned long long hard, const char *what) {
  struct rlimit r = {v, hard};
  if (setrlimit(res, &r) != 0) fail(what);
}

/* The seccomp filter every program runs under (as Docker's default profile): syscalls a contest
   program never needs and that reach kernel state beyond its box (keyrings, namespaces, mounts,
   BPF, perf, tracing, modules, clocks) fail with EPERM; clone3 with ENOSYS (libc falls back to
   clone, whose flags a filter can see); another architecture's syscalls kill the process. */
#if defined(__x86_64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_AARCH64
#endif
#define CLONE_NS_FLAGS                                                                       \
  (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
   CLONE_NEWCGROUP)
static const int denied[] = {
    __NR_keyctl, __NR_add_key, __NR_request_key, __NR_unshare, __NR_setns, __NR_mount,
    __NR_umount2, __NR_pivot_root, __NR_chroot, __NR_bpf, __NR_perf_event_open, __NR_ptrace,
    __NR_process_vm_readv, __NR_process_vm_writev, __NR_kcmp, __NR_kexec_load,
    __NR_init_module, __NR_finit_module, __NR_delete_module, __NR_reboot, __NR_swapon,
    __NR_swapoff, __NR_acct, __NR_settimeofday, __NR_clock_settime, __NR_clock_adjtime,
    __NR_adjtimex, __NR_open_by_handle_at, __NR_name_to_handle_at, __NR_quotactl, __NR_syslog,
    __NR_userfaultfd, __NR_sethostname, __NR_setdomainname, __NR_vhangup,
    __NR_fanotify_init, __NR_lookup_dcookie, __NR_io_uring_setup, __NR_io_uring_enter,
    __NR_io_uring_register,
#ifdef __NR_kexec_file_load
    __NR_kexec_file_load,
#endif
#ifdef __NR_fsopen
    __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_move_mount, __NR_open_tree,
#endif
#ifdef __NR_mount_setattr
    __NR_mount_setattr,
#endif
#ifdef __NR_iopl
    __NR_iopl, __NR_ioperm,
#endif
#ifdef __NR_uselib
    __NR_uselib, __NR_ustat, __NR_sysfs,
#endif
};
#define NDENIED (sizeof denied / sizeof denied[0])
#define STMT(c, k) ((struct sock_filter)BPF_STMT(c, k))
#define JUMP(c, k, t, f) ((struct sock_filter)BPF_JUMP(c, k, t, f))

static void install_seccomp(void) {
#ifdef AUDIT_ARCH_HERE
  static struct sock_filter f[2 * NDENIED + 16];
  int n = 0;
  f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_HERE, 1, 0);
  f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
  f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
  f[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1); /* x32 */
  f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
  for (size_t i = 0; i < NDENIED; i++) {
    f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied[i], 0, 1);
    f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
  }
#ifdef __NR_clone3
  f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
  f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
#endif
  f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3);
  f[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
  f[n++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NS_FLAGS, 0, 1);
  f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
  f[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog prog = {(unsigned short)n, f};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) fail("seccomp");
#endif
}

/* phase 0: as root (R:, W: are the runner's own files); 1: read ends as the uid (r:, fr:);
   2: write ends as the uid (w:, fw:) */
static int phase_of(const char *s) {
  if (!strncmp(s, "R:", 2) || !strncmp(s, "W:", 2)) return 0;
  if (!strncmp(s, "r:", 2) || !strncmp(s, "fr:", 3) || !strncmp(s, "fb:", 3)) return 1;
  return 2;
}

static int open_stream(const char *s) {
  if (!strncmp(s, "R:", 2)) return open(s + 2, O_RDONLY);
  if (!strncmp(s, "W:", 2)) return open(s + 2, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!strncmp(s, "r:", 2)) return open(s + 2, O_RDONLY | O_NOFOLLOW);
  if (!strncmp(s, "fr:", 3)) {
    int fd = open(s + 3, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
  }
  if (!strncmp(s, "fb:", 3)) return open(s + 3, O_RDONLY | O_NOFOLLOW);
  if (!strncmp(s, "w:", 2)) return open(s + 2, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
  if (!strncmp(s, "fw:", 3)) return open(s + 3, O_WRONLY | O_NOFOLLOW);
  errno = EINVAL;
  return -1;
}

static void open_phase(char **a, int *fds, int phase) {
  for (int i = 0; i < 3; i++)
    if (phase_of(a[8 + i]) == phase) {
      int fd = open_stream(a[8 + i]);
      if (fd < 0) fail(a[8 + i]);
      fds[i] = fcntl(fd, F_DUPFD, 10);
      if (fds[i] < 0) fail("dup");
      close(fd);
    }
}

/* A: the namespaces a program gets of its own (bit 1: IPC, bit 2: network): SysV objects die
   with it, and no two instances of a job meet through SysV IPC or an abstract unix socket. A
   fresh session keyring, so cpsolve's own is not inherited (keyctl is denied besides). */
static void own_namespaces(long ns) {
  int flags = (ns & 1 ? CLONE_NEWIPC : 0) | (ns & 2 ? CLONE_NEWNET : 0);
  if (filtered) {
    if (!flags) return; /* the keyring is the launcher's own fresh one, keyctl denied */
    errno = EPERM;
    fail("namespaces need the unfiltered launcher");
  }
  if (flags && unshare(flags) != 0) fail("unshare");
  syscall(__NR_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, (char *)0);
}

/* a: UID:GID:UMASK[:NS] CPU_S FSIZE NOFILE NPROC AS WALL_MS CWD S0 S1 S2 (a[0..10]) */
static void child(char **a, char **prog, char **envp) {
  char *rest;
  long uid = strtol(a[0], &rest, 10);
  long gid = *rest == ':' ? strtol(rest + 1, &rest, 10) : uid;
  mode_t mask = *rest == ':' ? (mode_t)strtol(rest + 1, &rest, 8) : 022;
  long ns = *rest == ':' ? strtol(rest + 1, 0, 10) : 0;
  unsigned long long cpu = (unsigned long long)atof(a[1]) + 1;
  unsigned long long as = strtoull(a[5], 0, 10);
  unsigned long long fsize = strtoull(a[2], 0, 10), nofile = strtoull(a[3], 0, 10);
  unsigned long long nproc = strtoull(a[4], 0, 10);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, 0);
  for (int s = 1; s < 32; s++) signal(s, SIG_DFL);
  if (setpgid(0, 0) != 0) fail("setpgid");
  int fds[3] = {-1, -1, -1};
  open_phase(a, fds, 0);
  lim(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU");
  lim(RLIMIT_FSIZE, fsize, fsize, "RLIMIT_FSIZE");
  lim(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
  lim(RLIMIT_NOFILE, nofile, nofile, "RLIMIT_NOFILE");
  lim(RLIMIT_NPROC, nproc, nproc, "RLIMIT_NPROC");
  lim(RLIMIT_STACK, as, as, "RLIMIT_STACK");
  lim(RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK");
  lim(RLIMIT_MSGQUEUE, 0, 0, "RLIMIT_MSGQUEUE");
  own_namespaces(ns);
  if (uid >= 0) {
    if (setgroups(0, 0) != 0) fail("setgroups");
    if (setresgid(gid, gid, gid) != 0) fail("setresgid");
    if (setresuid(uid, uid, uid) != 0) fail("setresuid");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  umask(mask);
  if (chdir(a[7]) != 0) fail("chdir");
  open_phase(a, fds, 1);
  open_phase(a, fds, 2);
  for (int i = 0; i < 3; i++)
    if (dup2(fds[i], i) < 0) fail("dup2");
  syscall(SYS_close_range, 3, errw - 1, 0);
  syscall(SYS_close_range, errw + 1, ~0U, 0);
  /* memory is peak resident memory, which the launcher watches (as a judge's cgroup accounting
     does); the address-space limit is only a guard, loose enough for reservations the program
     never touches (a runtime's heap arena, an mmap it uses sparsely) */
  unsigned long long guard = as + (as > GUARD_BYTES ? as : GUARD_BYTES);
  lim(RLIMIT_AS, guard, guard, "RLIMIT_AS");
  if (!filtered) install_seccomp(); /* else inherited from the launcher */
  execve(prog[0], prog, envp);
  fail(prog[0]);
}

/* what a cloned child starts from: it shares the launcher's memory until execve */
struct spawn {
  char **a, **env;
  int errr, errw;
};
static char child_stack[1 << 18] __attribute__((aligned(16)));

/* whether a request's streams (a[8..10]) are all the runner's own files (R:, W:), whose opens
   never wait */
static int own_files_only(char **a) {
  for (int i = 8; i < 11; i++)
    if (strncmp(a[i], "R:", 2) && strncmp(a[i], "W:", 2)) return 0;
  return 1;
}

static int spawned(void *arg) {
  struct spawn *sp = arg;
  close(sp->errr);
  errw = sp->errw;
  child(sp->a, sp->a + 12, sp->env);
  return 127;
}

struct job {
  pid_t pid;
  char id[32];
  int errfd, timed_out; /* timed_out: KEPT or why the launcher killed it */
  struct timespec t0;
  long wall_ms;
  long long cpu_ms;      /* CPU limit: killed once its CPU time reaches it */
  long long mem_bytes;   /* memory limit: killed once its resident memory exceeds it */
  long long peak_bytes;  /* the largest resident memory seen */
};
static struct job jobs[MAXJOBS];
static int njobs;

static long ms_since(struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int read_full(int fd, char *buf, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    buf += r;
    n -= r;
  }
  return 0;
}

static void say(const char *line, int n) {
  while (n > 0) {
    ssize_t w = write(1, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(3);
    line += w;
    n -= w;
  }
}

static char **args;
static size_t args_cap;

static void start(char *body, uint32_t len) {
  size_t n = 0, need = 1;
  for (uint32_t i = 0; i < len; i++) need += body[i] == 0;
  if (need > args_cap) {
    free(args);
    args = malloc(need * sizeof(char *));
    args_cap = args ? need : 0;
    if (!args) _exit(4);
  }
  for (uint32_t i = 0; i < len; n++) {
    args[n] = body + i;
    i += strlen(body + i) + 1;
  }
  args[n] = 0;
  /* ID NENV ENV... UID CPU FSIZE NOFILE NPROC AS WALL CWD S0 S1 S2 -- PROG... */
  int nenv = n > 1 ? atoi(args[1]) : -1;
  char line[700];
  if (n < 2 || nenv < 0 || n < (size_t)nenv + 15 || strcmp(args[2 + nenv + 11], "--") != 0) {
    int k = snprintf(line, sizeof line, "%s err bad launch request\n", n ? args[0] : "?");
    say(line, k);
    return;
  }
  char **envp = args + 2;
  char **a = args + 2 + nenv;
  int ep[2];
  if (njobs >= MAXJOBS || pipe2(ep, O_CLOEXEC) != 0) {
    int k = snprintf(line, sizeof line, "%s err too many processes at once\n", args[0]);
    say(line, k);
    return;
  }
  struct job *j = &jobs[njobs];
  snprintf(j->id, sizeof j->id, "%s", args[0]);
  j->wall_ms = atol(a[6]);
  j->cpu_ms = (long long)(atof(a[1]) * 1000.0 + 0.5);
  j->mem_bytes = strtoll(a[5], 0, 10);
  j->peak_bytes = 0;
  j->timed_out = KEPT;
  clock_gettime(CLOCK_MONOTONIC, &j->t0);
  char **env = malloc((nenv + 1) * sizeof(char *));
  if (env) {
    memcpy(env, envp, nenv * sizeof(char *));
    env[nenv] = 0;
  }
  struct spawn sp = {a, env, ep[0], ep[1]};
  pid_t pid = -1;
  if (env && own_files_only(a)) {
    /* the child borrows the launcher's memory until it execs (as posix_spawn's does): no page
       tables copied, none torn down. The launcher waits meanwhile (CLONE_VFORK), so only a
       child that cannot block before its exec (streams: the runner's own files) is cloned */
    int flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
    pid = clone(spawned, child_stack + sizeof child_stack, flags, &sp);
  } else if (env && (pid = fork()) == 0) {
    spawned(&sp); /* may wait on a FIFO or a planted file: the launcher goes on meanwhile */
  }
  free(env);
  close(ep[1]);
  if (pid < 0) {
    close(ep[0]);
    int k = snprintf(line, sizeof line, "%s err fork: %s\n", args[0], strerror(errno));
    say(line, k);
    return;
  }
  j->pid = pid;
  j->errfd = ep[0];
  njobs++;
}

/* A running job's CPU time (ms) and resident memory (bytes) from /proc/PID/stat; 0 if gone. */
static int usage(pid_t pid, long long *cpu_ms, long long *rss) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
  if (!p) return 0;
  unsigned long long ut = 0, st = 0;
  long long pages = 0;
  /* after ")": state(3) ... utime(14) stime(15) ... vsize(23) rss(24) */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d "
                    "%*d %*u %*u %lld", &ut, &st, &pages) != 3)
    return 0;
  static long hz, page;
  if (!hz) hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
  *cpu_ms = (long long)(ut + st) * 1000 / hz;
  *rss = pages * page;
  return 1;
}

/* Kill a job that ran past a limit: wall clock, CPU time (RLIMIT_CPU counts whole seconds
   only), resident memory. */
static void police(struct job *j) {
  int why = KEPT;
  long long cpu_ms, rss;
  if (ms_since(&j->t0) >= j->wall_ms)
    why = KILLED_WALL;
  else if (usage(j->pid, &cpu_ms, &rss)) {
    if (rss > j->peak_bytes) j->peak_bytes = rss;
    if (cpu_ms >= j->cpu_ms) why = KILLED_CPU;
    else if (j->mem_bytes > 0 && rss > j->mem_bytes) why = KILLED_MEMORY;
  }
  if (why == KEPT) return;
  j->timed_out = why;
  kill(-j->pid, SIGKILL);
  kill(j->pid, SIGKILL);
}

static void reap(void) {
  int status;
  struct rusage ru;
  pid_t pid;
  while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    for (int i = 0; i < njobs; i++) {
      if (jobs[i].pid != pid) continue;
      struct job *j = &jobs[i];
      long long wall_us;
      struct timespec t;
      clock_gettime(CLOCK_MONOTONIC, &t);
      wall_us = (t.tv_sec - j->t0.tv_sec) * 1000000LL + (t.tv_nsec - j->t0.tv_nsec) / 1000;
      char msg[600], line[800];
      ssize_t m = read(j->errfd, msg, sizeof msg - 1);
      close(j->errfd);
      int k;
      if (m > 0) {
        msg[m] = 0;
        for (ssize_t q = 0; q < m; q++)
          if (msg[q] == '\n') msg[q] = ' ';
        k = snprintf(line, sizeof line, "%s err %s\n", j->id, msg);
      } else {
        k = snprintf(line, sizeof line, "%s ok %d %lld %lld %lld %lld %d\n", j->id, status,
                     (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                     (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
                     ru.ru_maxrss > j->peak_bytes / 1024 ? (long long)ru.ru_maxrss
                                                         : j->peak_bytes / 1024,
                     wall_us, j->timed_out);
      }
      say(line, k);
      jobs[i] = jobs[--njobs];
      break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--filtered")) {
    /* once for every process it starts: a fresh anonymous session keyring (not cpsolve's),
       then the filter, which a fork shares instead of compiling it again */
    syscall(__NR_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING; Docker's profile denies it */,
            (char *)0);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 5;
    install_seccomp();
    filtered = 1;
  }
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, 0);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 2;
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  static char body[1 << 22];
  for (;;) {
    long timeout = -1;
    for (int i = 0; i < njobs; i++) {
      long left = jobs[i].timed_out ? 1000 : jobs[i].wall_ms - ms_since(&jobs[i].t0);
      if (left < 0) left = 0;
      if (!jobs[i].timed_out && left > TICK_MS) left = TICK_MS;
      if (timeout < 0 || left < timeout) timeout = left;
    }
    struct pollfd p[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    int r = poll(p, 2, (int)timeout);
    if (r < 0 && errno != EINTR) return 2;
    if (p[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
      reap();
    }
    for (int i = 0; i < njobs; i++)
      if (!jobs[i].timed_out) police(&jobs[i]);
    if (p[0].revents) {
      uint32_t len;
      if (read_full(0, (char *)&len, 4) != 0) break;
      if (len >= sizeof body) return 2;
      if (read_full(0, body, len) != 0) break;
      body[len] = 0;
      start(body, len);
    }
  }
  for (int i = 0; i < njobs; i++) {
    kill(-jobs[i].pid, SIGKILL);
    kill(jobs[i].pid, SIGKILL);
  }
  return 0;
}
