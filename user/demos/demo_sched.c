// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The "sched" demos: process states (R, S, D, T, Z) of known lengths, nice values sharing one
 * CPU, and parallel versus concurrent execution. Each writes what it measured itself (its own
 * CPU clocks, /proc/PID/stat, the times it stopped and reaped) as ground truth.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "demo.h"
#include "demo_util.h"

#define STATE_MS 200 /* each state of the states demo */
#define STOP_MS 300 /* how long the states demo keeps its child stopped */
#define ZOMBIE_MS 300 /* and unreaped */
#define NICE_RUN_MS 2000 /* the nice demo's two spinners */
#define NICE_LOW 9
#define PAR_RUN_MS 600 /* each half of the parallel demo */
#define PHASE_WAIT_MS 5000 /* bound on waiting for a phase of the other processes */

#define MS_NS 1000000LL

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void spin_until(long long deadline)
{
	volatile unsigned long x = 0;

	while (demo_now_ns() < deadline)
		x++;
}

/*
 * The steal time of CPU @cpu (-1: of all CPUs) so far in ns (/proc/stat, in ticks), or -1: time
 * a virtual CPU was not running while its guest thought a task ran there. A run's wall-clock
 * length includes it, the task's CPU clock does not: the tests allow for it.
 */
static long long cpu_steal_ns(int cpu)
{
	char line[256], name[16];
	long long steal = -1;
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return -1;
	if (cpu < 0)
		snprintf(name, sizeof(name), "cpu ");
	else
		snprintf(name, sizeof(name), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name))) {
			unsigned long long v[8];

			if (sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu",
				   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
				steal = (long long)v[7] * (1000000000LL / sysconf(_SC_CLK_TCK));
			break;
		}
	fclose(f);
	return steal;
}

/* Steal time since @s0 (a cpu_steal_ns() of the same CPU), 0 when unknown */
static long long steal_since(int cpu, long long s0)
{
	long long s1 = cpu_steal_ns(cpu);

	return s0 < 0 || s1 < s0 ? 0 : s1 - s0;
}

/* utime + stime of @pid in ns (a zombie still has them), or -1 */
static long long proc_cpu_ns(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ut, st;
	const char *p;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold spaces and ')': fields count from the last ')'; utime is field 14 */
	p = strrchr(buf, ')');
	for (i = 2; p && i < 14; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st) * (1000000000LL / sysconf(_SC_CLK_TCK));
}

/* Block until @pid (our child) has exited, without reaping it; 0 or -errno */
static int await_zombie(pid_t pid, int ms)
{
	long long deadline = demo_deadline_in(ms);
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT | WNOHANG) < 0)
			return -errno;
		if (si.si_pid == pid)
			return 0;
		if (demo_now_ns() >= deadline)
			return -ETIMEDOUT;
		demo_sleep_ms(1);
	}
}

/* Read one byte (bounded): 0 or -errno */
static int read_byte(int fd, int ms)
{
	char c;
	int err = demo_poll_readable(fd, demo_deadline_in(ms));

	if (err)
		return err;
	return read(fd, &c, 1) == 1 ? 0 : -EPIPE;
}

static int write_byte(int fd)
{
	return write(fd, "x", 1) == 1 ? 0 : -errno;
}

/* ---- states: R, S, D, T, Z ---- */

struct states_pipes {
	int ready_wr; /* walker -> root: stop me now */
	int go_rd; /* root -> walker: you were continued, go on */
};

static int walker(const struct run *r, pid_t parent, void *arg)
{
	const struct states_pipes *p = arg;
	struct timespec nap = { .tv_sec = 0, .tv_nsec = STATE_MS * MS_NS };
	long long t0, c0, spin_wall, spin_cpu, sleep_ns, vfork_ns, s0 = cpu_steal_ns(-1);
	pid_t kid;
	int st;

	/* R: a spin of known length (on a loaded machine partly runnable: the CPU clock says) */
	t0 = demo_now_ns();
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	spin_until(t0 + STATE_MS * MS_NS);
	spin_wall = demo_now_ns() - t0;
	spin_cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	demo_narrate(r, "walker %d spun %lld ms (R)", getpid(), spin_wall / MS_NS);
	/* S: an interruptible sleep */
	t0 = demo_now_ns();
	while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
		;
	sleep_ns = demo_now_ns() - t0;
	demo_narrate(r, "walker %d slept %lld ms (S)", getpid(), sleep_ns / MS_NS);
	/* D: a vfork() parent waits uninterruptibly until its child exits or execs */
	t0 = demo_now_ns();
	kid = vfork();
	if (kid == 0) {
		struct timespec k = { .tv_sec = 0, .tv_nsec = STATE_MS * MS_NS };

		/* the vfork child may only make system calls: nanosleep and _exit */
		syscall(SYS_nanosleep, &k, NULL);
		_exit(0);
	}
	if (kid < 0)
		return demo_fail(r, -errno, "vfork"), 1;
	vfork_ns = demo_now_ns() - t0;
	if (demo_reap(r, kid, &st))
		return 1;
	demo_narrate(r, "walker %d waited %lld ms for its vfork child %d (D)", getpid(),
		     vfork_ns / MS_NS, kid);
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"states\",\"pid\":%d,\"vfork_child\":%d,"
		   "\"spin_wall_ns\":%lld,\"spin_cpu_ns\":%lld,\"sleep_ns\":%lld,\"vfork_ns\":%lld,"
		   "\"state_ns\":%lld}",
		   r->demo, getpid(), kid, spin_wall, spin_cpu, sleep_ns, vfork_ns,
		   STATE_MS * MS_NS);
	/* T: the root stops and continues us while we wait for its byte */
	if (write_byte(p->ready_wr) || read_byte(p->go_rd, TIMEOUT_MS + STOP_MS))
		return demo_fail(r, -EPIPE, "walker: handshake with the root"), 1;
	/* Z: we exit; the root reaps us late. Our own CPU time, all of it, first. */
	demo_truth(
		r->ctx,
		"{\"demo\":\"%s\",\"kind\":\"cpu\",\"pid\":%d,\"cpu_ns\":%lld,\"steal_ns\":%lld}",
		r->demo, getpid(), clock_ns(CLOCK_PROCESS_CPUTIME_ID), steal_since(-1, s0));
	return 0;
}

static int run_states(const struct demo_ctx *ctx)
{
	const struct run r = { ctx, "states" };
	int ready[2], go[2], st, err;
	struct states_pipes p;
	long long t_kill, t_stopped, t_cont, t_conted, t_zombie, t_reap, t_reaped;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		return demo_fail(&r, -errno, "pipe2"), 1;
	p.ready_wr = ready[1];
	p.go_rd = go[0];
	pid = demo_spawn(&r, "walker", walker, &p);
	close(ready[1]);
	close(go[0]);
	if (pid < 0)
		return 1;
	err = read_byte(ready[0], 3 * STATE_MS + TIMEOUT_MS);
	if (err) {
		demo_kill_and_reap(pid);
		return demo_fail(&r, err, "walker %d did not get to its stop", pid), 1;
	}
	t_kill = demo_now_ns();
	kill(pid, SIGSTOP);
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st)) {
		demo_kill_and_reap(pid);
		return demo_fail(&r, -ECHILD, "walker %d did not stop", pid), 1;
	}
	t_stopped = demo_now_ns();
	demo_narrate(&r, "root stopped walker %d with SIGSTOP (T) for %d ms", pid, STOP_MS);
	demo_sleep_ms(STOP_MS);
	t_cont = demo_now_ns();
	kill(pid, SIGCONT);
	t_conted = demo_now_ns();
	waitpid(pid, &st, WCONTINUED);
	demo_truth(ctx,
		   "{\"demo\":\"states\",\"kind\":\"stopped\",\"pid\":%d,\"min_ns\":%lld,"
		   "\"max_ns\":%lld}",
		   pid, t_cont - t_stopped, t_conted - t_kill);
	write_byte(go[1]);
	close(go[1]);
	close(ready[0]);
	err = await_zombie(pid, TIMEOUT_MS);
	if (err) {
		demo_kill_and_reap(pid);
		return demo_fail(&r, err, "walker %d did not exit", pid), 1;
	}
	t_zombie = demo_now_ns();
	demo_narrate(&r, "walker %d exited; the root reaps it %d ms later (Z)", pid, ZOMBIE_MS);
	demo_sleep_ms(ZOMBIE_MS);
	t_reap = demo_now_ns();
	if (demo_reap_expect(&r, pid, 0))
		return 1;
	t_reaped = demo_now_ns();
	demo_truth(ctx,
		   "{\"demo\":\"states\",\"kind\":\"zombie\",\"pid\":%d,\"min_ns\":%lld,"
		   "\"max_ns\":%lld}",
		   pid, t_reap - t_zombie, t_reaped - t_conted);
	return 0;
}

/* ---- nice: two spinners on one CPU, nice 0 and nice 9 ---- */

/* The CPU to pin to: the highest one we may run on */
static int pick_cpu(int *ncpus)
{
	cpu_set_t set;
	int i, last = -1;

	*ncpus = 0;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -1;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set)) {
			last = i;
			(*ncpus)++;
		}
	return last;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

struct spinner_arg {
	int nice;
	int cpu;
	int go_rd; /* EOF: start */
	int go_wr; /* the root's end: closed in the child, or EOF never comes */
	int run_ms;
};

static int nice_spinner(const struct run *r, pid_t parent, void *arg)
{
	const struct spinner_arg *a = arg;
	long long t0, c0, s0 = cpu_steal_ns(a->cpu);
	int err;

	close(a->go_wr);
	if (pin(a->cpu))
		return demo_fail(r, -errno, "sched_setaffinity(CPU %d)", a->cpu), 1;
	/* setpriority() on ourselves: the trace shows it as a priority change */
	if (setpriority(PRIO_PROCESS, 0, a->nice) < 0)
		return demo_fail(r, -errno, "setpriority(%d)", a->nice), 1;
	err = demo_await_eof(a->go_rd);
	if (err)
		return demo_fail(r, err, "waiting for the start"), 1;
	t0 = demo_now_ns();
	c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	spin_until(t0 + a->run_ms * MS_NS);
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"spin\",\"pid\":%d,\"nice\":%d,\"cpu\":%d,"
		   "\"wall_ns\":%lld,\"spin_cpu_ns\":%lld,\"cpu_ns\":%lld,\"steal_ns\":%lld}",
		   r->demo, getpid(), a->nice, a->cpu, demo_now_ns() - t0,
		   clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0, clock_ns(CLOCK_PROCESS_CPUTIME_ID),
		   steal_since(a->cpu, s0));
	return 0;
}

/* Wait for @pid to exit, record /proc/PID/stat utime+stime of the zombie, then reap it */
static int reap_with_stat(const struct run *r, pid_t pid, int ms)
{
	long long ns;
	int err = await_zombie(pid, ms);

	if (err) {
		demo_kill_and_reap(pid);
		return demo_fail(r, err, "child %d did not exit", pid);
	}
	ns = proc_cpu_ns(pid);
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"proc_stat\",\"pid\":%d,\"utime_stime_ns\":%lld,"
		   "\"tick_ns\":%ld}",
		   r->demo, pid, ns, 1000000000L / sysconf(_SC_CLK_TCK));
	return demo_reap_expect(r, pid, 0);
}

static int run_nice(const struct demo_ctx *ctx)
{
	const struct run r = { ctx, "nice" };
	struct spinner_arg a0, a9;
	int go[2], ncpus, cpu = pick_cpu(&ncpus), err;
	pid_t p0, p9;

	if (cpu < 0)
		return demo_fail(&r, -errno, "sched_getaffinity"), 1;
	if (pipe2(go, O_CLOEXEC) < 0)
		return demo_fail(&r, -errno, "pipe2"), 1;
	a0 = (struct spinner_arg){
		.nice = 0, .cpu = cpu, .go_rd = go[0], .go_wr = go[1], .run_ms = NICE_RUN_MS
	};
	a9 = a0;
	a9.nice = NICE_LOW;
	p0 = demo_spawn(&r, "nice0", nice_spinner, &a0);
	p9 = p0 < 0 ? p0 : demo_spawn(&r, "nice9", nice_spinner, &a9);
	if (p9 < 0) {
		close(go[0]);
		close(go[1]);
		if (p0 > 0)
			demo_kill_and_reap(p0);
		return 1;
	}
	close(go[0]);
	demo_narrate(&r,
		     "%d (nice 0) and %d (nice %d) spin %d ms on CPU %d: weights 1024 and 137 "
		     "predict 88%% and 12%% of it",
		     p0, p9, NICE_LOW, NICE_RUN_MS, cpu);
	close(go[1]); /* both start now */
	err = reap_with_stat(&r, p0, NICE_RUN_MS + PHASE_WAIT_MS);
	if (reap_with_stat(&r, p9, PHASE_WAIT_MS) || err)
		return 1;
	return 0;
}

/* ---- parallel, then concurrent ---- */

struct par_arg {
	int cpu1; /* first half */
	int cpu2; /* second half: both on this one */
	int go1_rd, go2_rd; /* EOF: start that half */
	int go1_wr, go2_wr, done_rd; /* the root's ends: closed in the children */
	int done_wr; /* a byte when the first half ends */
	bool parallel; /* run the first half */
	int idx; /* which spinner: its slot in the shared arrays */
	struct par_shared *sh;
};

/* Shared by the two spinners (MAP_SHARED) */
struct par_shared {
	_Atomic long long start[2][2]; /* [half][spinner] CLOCK_MONOTONIC start */
	_Atomic unsigned long beat[2]; /* [spinner] counts up while it spins */
	_Atomic int at_once[2]; /* [half] one saw the other's beat move while it ran itself */
};

/* A beat of the other within this much of our own two reads: both were on a CPU then */
#define AT_ONCE_NS 10000

/*
 * Spin @ms in half @h, and on until the other spinner has spun @ms/2 of it too: under load one
 * may start late (its wake-up waits for a CPU). In the parallel half also on until one of them
 * saw the two run at once (on a loaded machine each gets a thin share of its CPU). Bounded: it
 * ends PHASE_WAIT_MS/2 after @ms whatever happens, and the truth says what was seen.
 */
static void spin_half(const struct run *r, const struct par_arg *a, int h, int cpu, int ms)
{
	struct par_shared *sh = a->sh;
	long long t0 = demo_now_ns(), b0 = clock_ns(CLOCK_BOOTTIME),
		  c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), s0 = cpu_steal_ns(cpu), prev_t = 0;
	unsigned long prev = 0;
	const char *half = h ? "concurrent" : "parallel";

	atomic_store(&sh->start[h][a->idx], t0);
	for (;;) {
		long long now = demo_now_ns(), other = atomic_load(&sh->start[h][!a->idx]), after;
		unsigned long o;

		atomic_fetch_add_explicit(&sh->beat[a->idx], 1, memory_order_relaxed);
		o = atomic_load_explicit(&sh->beat[!a->idx], memory_order_relaxed);
		after = demo_now_ns();
		/*
		 * From the clock read before the last load to the one after this load, under
		 * 10 us: no switch fits in that, so we ran all along, and the other's beat moved
		 * meanwhile: it ran too.
		 */
		if (prev_t && o != prev && after - prev_t < AT_ONCE_NS)
			atomic_store(&sh->at_once[h], 1);
		prev = o;
		prev_t = now;
		if (now >= t0 + (ms + PHASE_WAIT_MS / 2) * MS_NS)
			break;
		if (now >= t0 + ms * MS_NS && other && now >= other + ms / 2 * MS_NS &&
		    (h || atomic_load(&sh->at_once[h])))
			break;
	}
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"half\",\"half\":\"%s\",\"pid\":%d,\"cpu\":%d,"
		   "\"boot_from_ns\":%lld,\"boot_to_ns\":%lld,\"cpu_ns\":%lld,\"steal_ns\":%lld,"
		   "\"seen_at_once\":%s}",
		   r->demo, half, getpid(), cpu, b0, clock_ns(CLOCK_BOOTTIME),
		   clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0, steal_since(cpu, s0),
		   atomic_load(&sh->at_once[h]) ? "true" : "false");
}

static int par_spinner(const struct run *r, pid_t parent, void *arg)
{
	const struct par_arg *a = arg;

	close(a->go1_wr);
	close(a->go2_wr);
	close(a->done_rd);
	if (a->parallel) {
		if (pin(a->cpu1) || demo_await_eof(a->go1_rd))
			return demo_fail(r, -EINVAL, "first half on CPU %d", a->cpu1), 1;
		spin_half(r, a, 0, a->cpu1, PAR_RUN_MS);
		if (write_byte(a->done_wr))
			return 1;
	}
	if (pin(a->cpu2) || demo_poll_readable(a->go2_rd, demo_deadline_in(PHASE_WAIT_MS)))
		return demo_fail(r, -EINVAL, "second half on CPU %d", a->cpu2), 1;
	spin_half(r, a, 1, a->cpu2, PAR_RUN_MS);
	return 0;
}

static int run_parallel(const struct demo_ctx *ctx)
{
	const struct run r = { ctx, "parallel" };
	int go1[2], go2[2], done[2], ncpus, top = pick_cpu(&ncpus), err = 0, i;
	struct par_arg a[2];
	pid_t pid[2] = { -1, -1 };
	struct par_shared *sh;

	if (top < 0)
		return demo_fail(&r, -errno, "sched_getaffinity"), 1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return demo_fail(&r, -errno, "mmap"), 1; /* zeroed */
	if (pipe2(go1, O_CLOEXEC) < 0 || pipe2(go2, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0)
		return demo_fail(&r, -errno, "pipe2"), 1;
	demo_truth(ctx, "{\"demo\":\"parallel\",\"kind\":\"cpus\",\"ncpus\":%d}", ncpus);
	for (i = 0; i < 2; i++) {
		a[i] = (struct par_arg){ .cpu2 = top,
					 .go1_rd = go1[0],
					 .go2_rd = go2[0],
					 .go1_wr = go1[1],
					 .go2_wr = go2[1],
					 .done_rd = done[0],
					 .done_wr = done[1],
					 .parallel = ncpus > 1,
					 .idx = i,
					 .sh = sh };
		a[i].cpu1 = top;
	}
	if (ncpus > 1) {
		cpu_set_t set;
		int c;

		/* the first half: the lowest and the highest CPU we may use */
		sched_getaffinity(0, sizeof(set), &set);
		for (c = 0; c < CPU_SETSIZE && !CPU_ISSET(c, &set); c++)
			;
		a[0].cpu1 = c;
		demo_narrate(&r,
			     "two spinners on CPUs %d and %d at once (parallel), then both on CPU "
			     "%d (concurrent: time slices)",
			     c, top, top);
	} else {
		demo_narrate(&r,
			     "one CPU only: no parallel half; two spinners take turns on CPU %d",
			     top);
	}
	for (i = 0; i < 2 && !err; i++) {
		pid[i] = demo_spawn(&r, i ? "spinner2" : "spinner1", par_spinner, &a[i]);
		err = pid[i] < 0;
	}
	close(go1[0]);
	close(go2[0]);
	close(done[1]);
	close(go1[1]); /* the first half starts */
	for (i = 0; !err && ncpus > 1 && i < 2; i++)
		err = read_byte(done[0], PAR_RUN_MS + PHASE_WAIT_MS) != 0;
	close(go2[1]); /* the second half starts */
	close(done[0]);
	for (i = 0; i < 2; i++) {
		if (pid[i] <= 0)
			continue;
		if (err) {
			demo_kill_and_reap(pid[i]);
			continue;
		}
		err = reap_with_stat(&r, pid[i], PAR_RUN_MS + PHASE_WAIT_MS) != 0;
	}
	munmap(sh, sizeof(*sh));
	return err ? 1 : 0;
}

const struct demo demo_sched_table[] = {
	{ "states", "sched",
	  "process states: a child runs (R), sleeps (S), waits on vfork (D), is stopped (T) and "
	  "stays unreaped (Z)",
	  run_states },
	{ "nice", "sched",
	  "two spinners share one CPU at nice 0 and nice 9: 88% and 12% by the kernel's weights",
	  run_nice },
	{ "parallel", "sched",
	  "two spinners on two CPUs at once (parallel), then on one CPU in time slices "
	  "(concurrent)",
	  run_parallel },
	{ 0 },
};
