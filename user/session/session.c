// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The trace session: its start, its loop and stop reasons, its end. Order matters: a launched
 * command is forked first and held on a pipe, the programs are loaded, the command (or -p tree)
 * is put in the kernel's tracked map, everything is attached, /proc is read to seed the model,
 * and only then the command may exec: its first fork cannot be missed.
 */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "drain.h"
#include "evlog.h"
#include "format.h"
#include "host.h"
#include "launch.h"
#include "live.h"
#include "loader.h"
#include "log.h"
#include "model.h"
#include "narrate.h"
#include "outfile.h"
#include "perfetto.h"
#include "procfs.h"
#include "seed.h"
#include "summary.h"
#include "summary_json.h"
#include "svg.h"
#include "trace.h"

#define POLL_MS 10
#define HOUSEKEEP_NS 100000000ull
#define GRACE_NS 300000000ull /* after the tree is gone: time for adopters to reap */
/* stopped by a signal: how long the command has to show how it ends (Ctrl-C reaches it too) */
#define CMD_GRACE_NS 1000000000ull

/*
 * The only process-wide state: a signal asks every session of this process to stop (a Ctrl-C
 * during `procscope demo` ends the run). Why one session stops is its own business.
 */
static volatile sig_atomic_t signalled;

static void on_signal(int sig)
{
	signalled = sig;
}

/* Why a session's loop ended */
enum stop_reason {
	STOP_NONE = 0,
	STOP_SIGNAL, /* SIGINT, SIGTERM or SIGHUP */
	STOP_TREE_GONE, /* the command or -p tree ended (and adopters had time to reap) */
	STOP_DURATION, /* -d elapsed */
	STOP_READER_GONE, /* stdout's reader went away (procscope ... | head) */
	STOP_POLL_FAILED,
};

struct session {
	const struct trace_opts *o;
	struct model *m;
	struct loader *ld;
	struct drain *drain; /* the ring's records, queued by the drain thread */
	struct sink *evlog;
	struct narrate *narrate; /* a demo's narration, into the live lines; NULL if none */
	struct launch cmd; /* the launched command, if any */
	uint32_t root_pid; /* -p PID or the command: the tree whose end ends the trace */
	const struct proc *root;
	uint64_t drops[PSC_EV_TYPE_MAX];
	uint64_t queue_drops[PSC_EV_TYPE_MAX];
	uint64_t gone_ts; /* when the traced tree had no live process left */
	uint64_t track_overflow;
	bool live_on_stderr; /* the live LOST lines are the warning: no second one */
	uint64_t lost_warned_ns; /* the last lost-events warning, 0 before the first */
	enum stop_reason stop;
	int stop_signal; /* with STOP_SIGNAL */
	uint64_t stop_ns; /* CLOCK_MONOTONIC, when the signal was seen */
};

bool trace_doc_on_stdout(const struct trace_opts *o)
{
	return (o->output && !strcmp(o->output, "-")) ||
	       (o->summary_json && !strcmp(o->summary_json, "-"));
}

/* The first reason wins: later ones are consequences */
static void session_stop(struct session *s, enum stop_reason why)
{
	if (s->stop == STOP_NONE)
		s->stop = why;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Is it time to leave the loop? A signal stops the session; in command mode the loop goes on
 * (draining the ring) until the command is reaped or CMD_GRACE_NS passed: a Ctrl-C reaches the
 * whole foreground process group, and its status is the one to pass on.
 */
static bool session_stopping(struct session *s)
{
	/*
	 * A signal overrides a stop for the tree's end seen in the same instant (Ctrl-C kills the
	 * command too, and the reaper may be first): the run was still interrupted.
	 */
	if (signalled && s->stop != STOP_SIGNAL && s->stop != STOP_POLL_FAILED) {
		s->stop = STOP_SIGNAL;
		s->stop_signal = signalled;
		s->stop_ns = now_ns(CLOCK_MONOTONIC);
	}
	if (s->stop == STOP_SIGNAL && s->cmd.pid > 0 && !s->cmd.reaped && s->cmd.go_fd < 0)
		return now_ns(CLOCK_MONOTONIC) - s->stop_ns >= CMD_GRACE_NS;
	return s->stop != STOP_NONE;
}

int trace_parse_groups(const char *s, uint32_t *groups, const char **bad)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = { { "proc", PSC_GROUP_PROC },
		      { "epoll", PSC_GROUP_EPOLL },
		      { "unix", PSC_GROUP_UNIX },
		      { "sched", PSC_GROUP_SCHED },
		      { "all", PSC_GROUP_ALL } };
	char buf[256], *tok, *save = NULL;
	size_t i;

	*groups = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			static char badbuf[64];

			snprintf(badbuf, sizeof(badbuf), "%s", tok);
			*bad = badbuf;
			return -EINVAL;
		}
		*groups |= names[i].bit;
	}
	/* the other groups need the process tree (owners, the end of the trace): proc is always on */
	*groups |= PSC_GROUP_PROC;
	return 0;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct session *s = ctx;

	/* what the workload narrated before this event: known before the event is printed */
	if (s->narrate && len >= sizeof(struct psc_ev_hdr))
		narrate_before(s->narrate, ((const struct psc_ev_hdr *)data)->ts_ns);
	/* per-record problems are counted in the model; only ENOMEM stops the poll */
	return model_apply_raw(s->m, data, len);
}

/*
 * What the system says of a process the model still thinks alive or a zombie: its exit, reap
 * and free records may all have been dropped (a full ring), and a trace must not wait for it
 * forever. 'A'live, 'Z'ombie, or 'G'one (no such pid, or a new process under it).
 */
static char system_state(const struct proc *p)
{
	struct procfs_stat st;
	uint64_t start, tick = procfs_tick_ns();

	if (procfs_read_stat(p->pid, &st))
		return 'G';
	start = st.start_ticks * tick;
	if (start + tick < p->start_ns || start > p->start_ns + tick)
		return 'G';
	return st.state == 'Z' ? 'Z' : 'A';
}

/* Is any process of the traced tree still alive (or a zombie) in the model? */
static void tree_state(const struct session *s, bool *alive, bool *zombie)
{
	size_t n, i;
	struct proc *const *all = proctree_all(s->m->tree, &n);

	*alive = *zombie = false;
	for (i = 0; i < n; i++) {
		const struct proc *p = all[i];
		char sys;

		if (p->state == PROC_REAPED || !(p->flags & PROC_F_IN_TREE))
			continue;
		/* trust the events when there were no losses; ask /proc when there were */
		sys = s->m->stats.lost ? system_state(p) : (p->state == PROC_ALIVE ? 'A' : 'Z');
		if (sys == 'A' && p->state == PROC_ALIVE)
			*alive = true;
		else if (sys == 'Z' && (p->flags & PROC_F_ZOMBIE_AT_START))
			*alive = true; /* -p of a zombie: its reap is what there is to see */
		else if (sys != 'G')
			*zombie = true;
	}
}

/* -p of a zombie: say what the trace waits for */
static void note_zombie_root(const struct session *s)
{
	const struct proc *p = s->root_pid ? proctree_find_pid(s->m->tree, s->root_pid) : NULL;

	if (p && (p->flags & PROC_F_ZOMBIE_AT_START))
		psc_info("process %u is a zombie (it exited before the trace): waiting for its "
			 "parent %u to reap it",
			 p->pid, p->parent ? p->parent->pid : 0);
}

/*
 * Has the reader of a stdout pipe gone away? A write would tell, but a quiet trace may not
 * write for a long time: poll() reports POLLERR on a pipe whose read end is closed.
 */
static bool stdout_reader_gone(void)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };
	static int is_pipe = -1;
	struct stat st;

	if (is_pipe < 0)
		is_pipe = !fstat(STDOUT_FILENO, &st) && S_ISFIFO(st.st_mode);
	return is_pipe && poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
}

/* Report drop counters that grew since the last look: @seen holds the last values */
static void account_drops(struct session *s, uint64_t now, const uint64_t *drops, uint64_t *seen,
			  enum model_loss cause)
{
	uint64_t delta[PSC_EV_TYPE_MAX];
	bool any = false;
	int t;

	for (t = 0; t < PSC_EV_TYPE_MAX; t++) {
		delta[t] = drops[t] - seen[t];
		any |= delta[t] != 0;
	}
	if (!any)
		return;
	memcpy(seen, drops, sizeof(delta));
	model_lost_from(s->m, now, delta, cause);
	/* the first loss at once, then at most once a second with the total */
	if (!s->live_on_stderr &&
	    (!s->lost_warned_ns || now - s->lost_warned_ns >= 1000000000ull)) {
		s->lost_warned_ns = now;
		psc_warn("lost events: %s was full (%llu so far)",
			 cause == MODEL_LOSS_QUEUE ? "procscope's queue" : "the ring buffer",
			 (unsigned long long)s->m->stats.lost);
	}
}

static void housekeep(struct session *s, uint64_t now)
{
	uint64_t drops[PSC_EV_TYPE_MAX], track_overflow;
	bool alive, zombie;

	if (!loader_read_drops(s->ld, drops))
		account_drops(s, now, drops, s->drops, MODEL_LOSS_RINGBUF);
	drain_read_drops(s->drain, drops);
	account_drops(s, now, drops, s->queue_drops, MODEL_LOSS_QUEUE);
	/* stdout went away (procscope ... | head): stop quietly, the files get their trailers */
	if (model_flush(s->m) == -EPIPE || stdout_reader_gone())
		session_stop(s, STOP_READER_GONE);
	track_overflow = loader_track_overflows(s->ld);
	if (track_overflow > s->track_overflow) {
		s->track_overflow = track_overflow;
		psc_warn("%llu new processes were not followed: the tracked map is full",
			 (unsigned long long)track_overflow);
	}
	if (!s->root_pid)
		return;
	if (!s->root)
		s->root = proctree_find_pid(s->m->tree, s->root_pid);
	if (s->o->argv && !s->cmd.reaped)
		return;
	tree_state(s, &alive, &zombie);
	/*
	 * The root's own exit may be among the lost events: then a command we reaped, or /proc,
	 * says it is gone, whatever the model thinks.
	 */
	if (alive || (s->root && s->root->state == PROC_ALIVE && !(s->o->argv && s->cmd.reaped) &&
		      (!s->m->stats.lost || system_state(s->root) == 'A'))) {
		s->gone_ts = 0;
		return;
	}
	if (!s->gone_ts)
		s->gone_ts = now;
	/* the tree is gone: give adopters a moment to reap, so the log shows who did */
	if (!zombie || now - s->gone_ts >= GRACE_NS)
		session_stop(s, STOP_TREE_GONE);
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	/* a closed stdout (procscope | head) is an EPIPE on write, handled there */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL))
		return -errno;
	return 0;
}

static int add_sinks(struct session *s)
{
	const struct trace_opts *o = s->o;
	/* a document on stdout: the text summary (and the command's output) go to stderr */
	bool log_on_stdout = trace_doc_on_stdout(o);
	struct live_opts lo = {
		.threads = o->threads,
		.min_wait_ns = o->min_wait_ns,
		.wall_clock = o->wall_clock,
	};
	struct sink *sk;

	if (o->output) {
		s->evlog = evlog_sink_new(o->output, s->m);
		if (!s->evlog) {
			psc_err("failed to create '%s': %s", o->output, outfile_strerror(errno));
			return -errno;
		}
		s->evlog->output = o->output;
		model_add_sink(s->m, s->evlog);
	}
	if (o->perfetto) {
		sk = perfetto_sink_new(o->perfetto);
		if (!sk) {
			psc_err("failed to create '%s': %s", o->perfetto, outfile_strerror(errno));
			return -errno;
		}
		sk->output = o->perfetto;
		model_add_sink(s->m, sk);
	}
	if (o->svg) {
		sk = svg_sink_new(o->svg);
		if (!sk) {
			psc_err("failed to create '%s': %s", o->svg, outfile_strerror(errno));
			return -errno;
		}
		sk->output = o->svg;
		model_add_sink(s->m, sk);
	}
	/* live lines on stderr, as strace and perf trace: stdout stays the command's */
	if (!o->quiet) {
		if (o->live && strcmp(o->live, "-"))
			sk = live_sink_open(o->live, &lo);
		else
			sk = live_sink_new(o->live ? STDOUT_FILENO : STDERR_FILENO, &lo);
		if (!sk) {
			psc_err("failed to create '%s': %s", o->live ? o->live : "live output",
				outfile_strerror(errno));
			return -errno;
		}
		s->live_on_stderr = !o->live;
		sk->output = o->live;
		model_add_sink(s->m, sk);
		if (o->narrate) {
			s->narrate = narrate_new(o->narrate_fd, sk);
			if (!s->narrate)
				return errno ? -errno : -ENOMEM;
		}
	}
	if (!o->no_summary) {
		struct summary_opts so = {
			.zombie_min_ns = o->zombie_min_ns,
			.zombie_min_set = o->zombie_min_set,
		};

		sk = summary_sink_new(log_on_stdout ? stderr : stdout, &so);
		if (!sk)
			return -ENOMEM;
		model_add_sink(s->m, sk);
	}
	if (o->summary_json) {
		/* the same document `report --format json` makes from the log */
		sk = summary_json_sink_new(o->summary_json, NULL);
		if (!sk) {
			psc_err("failed to create '%s': %s", o->summary_json,
				outfile_strerror(errno));
			return -errno;
		}
		sk->output = o->summary_json;
		model_add_sink(s->m, sk);
	}
	return 0;
}

/*
 * Each output's own failure, naming its file (a full disk fails them all): the log keeps its
 * whole lines, a document (timeline, JSON summary) is left whole or not at all. The first error.
 */
static int output_errors(const struct session *s)
{
	const struct sink *sk;
	uint64_t records = 0;
	int first = 0;

	for (sk = s->m->sinks; sk; sk = sk->next) {
		int err = sk == s->evlog ? evlog_status(sk, &records) : sk->finish_err;

		if (!err || !sk->output || (err == -EPIPE && !strcmp(sk->output, "-")))
			continue;
		if (sk == s->evlog)
			psc_err("failed to write '%s': %s (the log holds the first %llu records, "
				"each complete)",
				sk->output, strerror(-err), (unsigned long long)records);
		else
			psc_err("failed to write '%s': %s", sk->output, strerror(-err));
		if (!first)
			first = err;
	}
	return first;
}

static int finish(struct session *s)
{
	int err, failed;

	/* the sched group's final records go into the ring before its last drain */
	if (loader_sched_flush(s->ld))
		psc_warn("failed to read the threads' final states: the sched totals stop at "
			 "their last record");
	/* the drain thread's last pass over the ring, then whatever it queued */
	drain_stop(s->drain);
	do
		err = drain_consume(s->drain, 0, on_record, s);
	while (err > 0);
	if (err < 0 && err != -EINTR)
		psc_err("failed to read the ring buffer: %s", strerror(-err));
	housekeep(s, now_ns(CLOCK_BOOTTIME));
	narrate_before(s->narrate, UINT64_MAX); /* the workload's last lines, printed at the end */
	if (s->cmd.pid > 0 && s->cmd.reaped)
		s->m->meta.exit_status = s->cmd.status;
	s->m->meta.interrupted = s->stop == STOP_SIGNAL;
	snprintf(s->m->meta.missing_hooks, sizeof(s->m->meta.missing_hooks), "%s",
		 loader_missing(s->ld));
	err = model_finish(s->m, now_ns(CLOCK_BOOTTIME));
	/* the log on a closed stdout (-o - | head): every line that got out was whole */
	if (s->evlog && evlog_status(s->evlog, NULL) == -EPIPE && !strcmp(s->o->output, "-"))
		return 0;
	failed = output_errors(s);
	if (!failed && err == -EPIPE)
		return 0; /* stdout was closed (| head): files are complete, exit quietly */
	if (!failed && err)
		psc_err("failed to write the output: %s", strerror(-err));
	if (s->m->stats.lost - s->m->stats.lost_queue)
		psc_warn("%llu events were lost (ring buffer full): raise --ringbuf-size",
			 (unsigned long long)(s->m->stats.lost - s->m->stats.lost_queue));
	if (s->m->stats.lost_queue)
		psc_warn("%llu events were lost (procscope's queue full): raise --queue-size",
			 (unsigned long long)s->m->stats.lost_queue);
	return failed ? failed : err;
}

/* Check what can fail before anything is started: a bad command or -p fails at once */
static int session_check(struct session *s)
{
	const struct trace_opts *o = s->o;
	struct procfs_stat st;
	uint32_t tgid;
	int err;

	if (!host_in_initial_pid_ns()) {
		psc_err("failed to start the trace: procscope must run in the initial pid namespace "
			"(the kernel reports global pids)");
		return 1;
	}
	if (o->argv) {
		err = launch_check_executable(o->argv[0]);
		if (err) {
			psc_err("failed to execute '%s': %s", o->argv[0], strerror(-err));
			return launch_exec_failure_status(-err);
		}
	}
	if (o->pid) {
		if (procfs_read_stat((uint32_t)o->pid, &st)) {
			psc_err("failed to trace process %d: %s", (int)o->pid, strerror(ESRCH));
			return 1;
		}
		s->root_pid = (uint32_t)o->pid;
		/* a thread id: the kernel tracks (and -p means) the whole process */
		tgid = host_read_tgid(s->root_pid);
		if (tgid && tgid != s->root_pid) {
			psc_info("%d is a thread of process %u: tracing process %u", (int)o->pid,
				 tgid, tgid);
			s->root_pid = tgid;
		}
	}
	return 0;
}

/*
 * Launch (held), load, track, attach, seed, release: in this order, so the command's first
 * fork cannot be missed. Prints its errors; 0 or -1.
 */
static int session_start(struct session *s)
{
	const struct trace_opts *o = s->o;
	struct loader_opts lo = {
		.self_tgid = (uint32_t)getpid(),
		.filter_mode = (o->pid || o->argv) ? PSC_FILTER_TREE : PSC_FILTER_ALL,
		.groups = o->groups,
		.sched_slices = o->sched_slices || o->perfetto || o->svg,
		.ringbuf_size = o->ringbuf_size,
		.verbose = o->verbose,
		.on_record = drain_push_record,
	};
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	struct seed_scope scope = { .command = o->argv != NULL, .groups = o->groups };
	int err;

	if (install_signals()) {
		psc_err("failed to install signal handlers: %s", strerror(errno));
		return -1;
	}
	if (o->argv) {
		s->cmd.stdout_to_stderr = trace_doc_on_stdout(o);
		err = launch_start(&s->cmd, o->argv, o->user);
		if (err) {
			psc_err("failed to start '%s': %s", o->argv[0], strerror(-err));
			return -1;
		}
		s->root_pid = (uint32_t)s->cmd.pid;
		s->m->meta.target_pid = s->root_pid;
	}
	scope.root_pid = s->root_pid;
	err = drain_new(&s->drain, o->queue_size);
	if (err) {
		psc_err("failed to create the event queue: %s", strerror(-err));
		return -1;
	}
	lo.ctx = s->drain;
	if (loader_open(&s->ld, &lo))
		return -1;
	s->m->meta.ringbuf_bytes = loader_ringbuf_size(s->ld);
	if (s->root_pid && seed_track(s->ld, &scope))
		return -1;
	/* the trace starts at attach: no event may be older than the base */
	s->m->meta.boottime_base_ns = now_ns(CLOCK_BOOTTIME);
	s->m->meta.realtime_base_ns = now_ns(CLOCK_REALTIME);
	if (loader_attach(s->ld))
		return -1;
	/* drain the ring from the first event on, while /proc is read and the sinks start */
	err = drain_start(s->drain, s->ld);
	if (err) {
		psc_err("failed to start the drain thread: %s", strerror(-err));
		return -1;
	}
	/* from here on every event is captured: what follows (seeding from /proc) is catch-up */
	psc_dbg("attached in %.1f ms", (now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	/* anything forked between the first /proc walk and attach is caught by a second walk */
	if (s->root_pid && seed_track(s->ld, &scope))
		return -1;
	if (add_sinks(s) || seed_model(s->m, s->ld, &scope))
		return -1;
	if (o->pid && (o->groups & (PSC_GROUP_EPOLL | PSC_GROUP_UNIX)) &&
	    seed_fds(s->m, s->ld, &scope))
		return -1;
	psc_dbg("ready in %.1f ms (processes read from /proc)",
		(now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	/* the -p target may have exited while we attached */
	if (o->pid && !proctree_find_pid(s->m->tree, s->root_pid) && kill((pid_t)s->root_pid, 0) &&
	    errno == ESRCH) {
		psc_err("failed to trace process %u: it exited during start-up", s->root_pid);
		return -1;
	}
	note_zombie_root(s);
	if (!o->keep_caps)
		host_drop_capabilities();
	if (o->argv)
		launch_release(&s->cmd, o->argv, o->user);
	return 0;
}

/* Until a stop reason: consume the ring, reap the command, housekeep now and then */
static void session_loop(struct session *s)
{
	uint64_t deadline = 0, last = 0, now;
	int err;

	if (s->o->duration > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(s->o->duration * 1e9);
	while (!session_stopping(s)) {
		/* the drain thread queues the ring's records: apply them, a batch at a time */
		err = drain_consume(s->drain, POLL_MS, on_record, s);
		if (err < 0 && err != -EINTR) {
			psc_err("failed to poll the ring buffer: %s", strerror(-err));
			session_stop(s, STOP_POLL_FAILED);
			break;
		}
		launch_reap(&s->cmd);
		now = now_ns(CLOCK_BOOTTIME);
		if (!err)
			narrate_idle(s->narrate, now);
		if (now - last >= HOUSEKEEP_NS) {
			last = now;
			housekeep(s, now);
		}
		if (deadline && now_ns(CLOCK_MONOTONIC) >= deadline)
			session_stop(s, STOP_DURATION);
	}
}

/*
 * Command mode, stopped before the command ended: by -d (the trace is what was asked for: 0),
 * or by a signal the command survived (128 + the signal, as a shell reports it: whoever runs
 * `procscope trace -- cmd && next` must not read an interrupted run as a success).
 */
static int stopped_early_status(const struct session *s)
{
	char name[16];

	if (!s->o->argv || s->stop != STOP_SIGNAL)
		return 0;
	psc_info("stopped by %s: the command (pid %d) goes on untraced",
		 signal_name(s->stop_signal, name, sizeof(name)), (int)s->cmd.pid);
	return 128 + s->stop_signal;
}

int trace_run(const struct trace_opts *o)
{
	struct session s = { .o = o, .cmd = { .go_fd = -1, .exec_err_fd = -1 } };
	int err, ret = 1;

	err = session_check(&s);
	if (err)
		return err;
	s.m = model_new();
	if (!s.m) {
		psc_err("out of memory");
		return 1;
	}
	proctree_set_tick_ns(s.m->tree, procfs_tick_ns());
	host_fill_meta(&s.m->meta, s.o, s.root_pid);
	if (session_start(&s))
		goto out;
	session_loop(&s);
	err = finish(&s);
	if (s.stop == STOP_POLL_FAILED && !err)
		err = -EIO;
	if (err)
		ret = 1;
	else if (o->argv && s.cmd.reaped)
		ret = launch_exit_status(&s.cmd);
	else
		ret = stopped_early_status(&s);
out:
	launch_cleanup(&s.cmd);
	narrate_free(s.narrate);
	drain_free(s.drain); /* stops the thread before the ring goes */
	loader_free(s.ld);
	model_free(s.m);
	return ret;
}
