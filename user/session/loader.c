// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Skeleton lifecycle. Errors are printed here, once, with the hint that fixes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "procscope.skel.h"
#include "decode.h"
#include "format.h"
#include "loader.h"
#include "log.h"
#include "procfs.h"
#include "ringbuf.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define MAX_LINKS 64

struct loader {
	struct procscope_bpf *skel;
	struct ringbuf *rb;
	struct loader_opts opts;
	size_t ringbuf_size;
	int ncpus;
	uint64_t *percpu; /* ncpus values: one per-CPU map slot, read every housekeeping pass */
	char missing[256];
	char *verifier_log; /* -vvv: per-program verifier statistics (BPF_LOG_STATS) */
	struct bpf_link *links[MAX_LINKS];
	size_t nlinks;
	struct bpf_link *sched_iter; /* the sched group's end-of-trace flush (one of links[]) */
};

static int verbose_level;

/* Milliseconds of CLOCK_MONOTONIC, for the -v timings of the load */
static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && verbose_level < 2)
		return 0;
	if (!verbose_level)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static size_t default_ringbuf_size(int ncpus)
{
	size_t size = 4u << 20;

	/* 1 MiB per CPU, at least 4 MiB: bursts from every CPU land in one ring */
	while (size < (size_t)ncpus << 20)
		size <<= 1;
	return size;
}

int loader_parse_size(const char *s, size_t *out)
{
	uint64_t v;

	/* parse_bytes() refuses what would wrap (16777216G) */
	if (parse_bytes(s, &v) || v < LOADER_RINGBUF_MIN || v > LOADER_RINGBUF_MAX || (v & (v - 1)))
		return -EINVAL;
	*out = v;
	return 0;
}

static int check_environment(void)
{
	/* PROCSCOPE_BTF: where the kernel's BTF is (a test can point it at a missing file) */
	const char *btf = getenv("PROCSCOPE_BTF");

	if (!btf || !*btf)
		btf = BTF_PATH;
	if (access(btf, R_OK)) {
		psc_err("kernel BTF not found at %s: procscope needs a kernel built with "
			"CONFIG_DEBUG_INFO_BTF=y",
			btf);
		return -ENOENT;
	}
	return 0;
}

/* PROCSCOPE_DISABLE_TRACEPOINTS=a,b: treat these tracepoints as missing from the kernel */
static bool disabled_by_user(const char *tp)
{
	const char *list = getenv("PROCSCOPE_DISABLE_TRACEPOINTS");
	size_t n = strlen(tp);

	while (list && *list) {
		size_t len = strcspn(list, ",");

		if (len == n && !strncmp(list, tp, n))
			return true;
		list += len + (list[len] == ',');
	}
	return false;
}

static void note_missing(struct loader *l, const char *name)
{
	size_t len = strlen(l->missing);

	snprintf(l->missing + len, sizeof(l->missing) - len, "%s%s", len ? "," : "", name);
}

/* Programs every trace needs: without them there is no process tree */
static bool is_essential(const char *name)
{
	return !strcmp(name, "tp_proc_fork") || !strcmp(name, "tp_proc_exec") ||
	       !strcmp(name, "tp_proc_exit");
}

/* The raw BTF header (include/uapi/linux/btf.h), native endian as the kernel exports it */
struct btf_raw_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

/* Read @len bytes of @fd at @off into @buf: 0, or -errno (-EINVAL when the file is shorter) */
static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t n = 0;
	ssize_t r;

	while (n < len) {
		r = pread(fd, (char *)buf + n, len - n, off + (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EINVAL;
		n += (size_t)r;
	}
	return 0;
}

/*
 * The string table of the kernel's raw BTF into *@buf (malloc'ed), its size in *@len: the
 * header, then that section alone (~2 of the file's ~6 MB; the types are not needed)
 */
static int read_btf_strings(char **buf, size_t *len)
{
	struct btf_raw_header h = { 0 }; /* clang-analyzer can't see pread_full() fill it */
	struct stat st;
	char *b;
	int fd, err;

	fd = open(BTF_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) ? -errno : pread_full(fd, &h, sizeof(h), 0);
	if (!err && (h.magic != 0xeb9f || h.hdr_len < sizeof(h) ||
		     (uint64_t)h.hdr_len + h.str_off + h.str_len > (uint64_t)st.st_size))
		err = -EINVAL;
	b = err ? NULL : malloc(h.str_len ? h.str_len : 1);
	if (!err && !b)
		err = -ENOMEM;
	if (!err)
		err = pread_full(fd, b, h.str_len, (off_t)h.hdr_len + h.str_off);
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	*buf = b;
	*len = h.str_len;
	return 0;
}

/*
 * Mark found[i] when the kernel has tracepoint names[i] (n of them): its BTF then holds the
 * typedef btf_trace_<name>, and so the string, which nothing else names. One pass over the raw
 * string table: parsing the whole BTF for it (btf__load_vmlinux_btf(), which libbpf does again
 * to load) took ~30 ms of the start.
 */
static int kernel_has_tracepoints(const char *const *names, size_t n, bool *found)
{
	static const char prefix[] = "btf_trace_";
	const size_t plen = sizeof(prefix) - 1;
	const char *str, *end;
	size_t len = 0, i;
	char *buf = NULL;
	int err;

	err = read_btf_strings(&buf, &len);
	if (err)
		return err;
	str = buf;
	end = str + len;
	while (str < end) {
		size_t slen = strnlen(str, (size_t)(end - str));

		if (slen > plen && !memcmp(str, prefix, plen))
			for (i = 0; i < n; i++)
				if (!found[i] && !strcmp(str + plen, names[i]))
					found[i] = true;
		str += slen + 1;
	}
	free(buf);
	return 0;
}

/*
 * A tp_btf program whose tracepoint this kernel lacks would fail the whole load: switch it off
 * first, say so, and keep tracing the rest.
 */
static int disable_missing_tracepoints(struct loader *l)
{
	struct bpf_program *progs[MAX_LINKS];
	const char *names[MAX_LINKS];
	bool found[MAX_LINKS] = { false };
	struct bpf_program *prog;
	size_t n = 0, i;
	int err;

	bpf_object__for_each_program(prog, l->skel->obj) {
		const char *sec = bpf_program__section_name(prog);

		if (strncmp(sec, "tp_btf/", 7) != 0 || !bpf_program__autoload(prog))
			continue;
		if (n == MAX_LINKS)
			return -E2BIG;
		progs[n] = prog;
		names[n++] = sec + 7;
	}
	err = kernel_has_tracepoints(names, n, found);
	if (err) {
		psc_err("failed to read kernel BTF: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++) {
		const char *tp = names[i];

		if (found[i] && !disabled_by_user(tp))
			continue;
		if (is_essential(bpf_program__name(progs[i]))) {
			psc_err("tracepoint %s is %s, and procscope cannot trace without it", tp,
				disabled_by_user(tp) ? "disabled by PROCSCOPE_DISABLE_TRACEPOINTS" :
						       "missing from this kernel");
			return -ENOENT;
		}
		psc_warn("tracepoint %s is %s: its events are off", tp,
			 disabled_by_user(tp) ? "disabled by PROCSCOPE_DISABLE_TRACEPOINTS" :
						"missing from this kernel");
		bpf_program__set_autoload(progs[i], false);
		note_missing(l, tp);
	}
	return 0;
}

/*
 * A group switched off with -e keeps its programs out of the kernel: an attached program costs
 * every socket send and receive of the system a call (~40 ns here), even when it returns at once.
 * The syscall dispatchers stay: the process group needs them for wait4/waitid.
 */
static void disable_unused_groups(struct loader *l)
{
	if (!(l->opts.groups & PSC_GROUP_UNIX)) {
		bpf_program__set_autoload(l->skel->progs.tp_ux_send, false);
		bpf_program__set_autoload(l->skel->progs.tp_ux_recv, false);
		bpf_program__set_autoload(l->skel->progs.tp_ux_wake, false);
	}
	/* a context switch anywhere on the system would pay for the sched hooks */
	if (!(l->opts.groups & PSC_GROUP_SCHED)) {
		bpf_program__set_autoload(l->skel->progs.tp_sched_switch, false);
		bpf_program__set_autoload(l->skel->progs.tp_sched_wakeup_new, false);
		bpf_program__set_autoload(l->skel->progs.tp_sched_exit, false);
		bpf_program__set_autoload(l->skel->progs.tp_sched_exec, false);
		bpf_program__set_autoload(l->skel->progs.sched_flush, false);
	}
}

/*
 * -vvv: ask the verifier for its statistics of each program (what start-up costs: the
 * verification time, instructions and states per program), printed after the load by
 * print_verifier_stats(). In place of the verifier log that -vv shows for a program that fails.
 */
#define VERIFIER_LOG_SIZE 512
#define BPF_LOG_STATS 4

static int request_verifier_stats(struct loader *l)
{
	struct bpf_program *prog;
	size_t i = 0, n = 0;

	bpf_object__for_each_program(prog, l->skel->obj)
		n++;
	l->verifier_log = calloc(n ? n : 1, VERIFIER_LOG_SIZE);
	if (!l->verifier_log)
		return -ENOMEM;
	bpf_object__for_each_program(prog, l->skel->obj) {
		bpf_program__set_log_level(prog, BPF_LOG_STATS);
		bpf_program__set_log_buf(prog, l->verifier_log + i++ * VERIFIER_LOG_SIZE,
					 VERIFIER_LOG_SIZE);
	}
	return 0;
}

/* One debug line per loaded program: "verification time N usec ... processed N insns ..." */
static void print_verifier_stats(struct loader *l)
{
	struct bpf_program *prog;
	size_t i = 0;

	bpf_object__for_each_program(prog, l->skel->obj) {
		char *log = l->verifier_log + i++ * VERIFIER_LOG_SIZE, *c;

		if (!bpf_program__autoload(prog))
			continue;
		log[VERIFIER_LOG_SIZE - 1] = '\0';
		for (c = log; *c; c++)
			if (*c == '\n')
				*c = ' ';
		psc_dbg("verifier, %s: %s", bpf_program__name(prog), log);
	}
}

/*
 * The maps only PSC_FILTER_TREE mode uses (the followed processes, the watched sockets) get one
 * entry system-wide: the followed-process hash is preallocated, 65536 entries whose zeroed pages
 * were a few ms of every system-wide start.
 */
static int size_tree_maps(struct loader *l)
{
	struct bpf_map *maps[] = { l->skel->maps.tracked, l->skel->maps.rx_watch };
	size_t i;
	int err;

	if (l->opts.filter_mode == PSC_FILTER_TREE)
		return 0;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		err = bpf_map__set_max_entries(maps[i], 1);
		if (err) {
			psc_err("failed to size map %s: %s", bpf_map__name(maps[i]),
				strerror(-err));
			return err;
		}
	}
	return 0;
}

static void report_load_error(int err)
{
	if (err == -EPERM || err == -EACCES)
		psc_err("failed to load BPF programs: %s: run as root (or with CAP_BPF and "
			"CAP_PERFMON)",
			strerror(-err));
	else
		psc_err("failed to load BPF programs: %s (run with -v for the verifier log)",
			strerror(-err));
}

int loader_open(struct loader **out, const struct loader_opts *opts)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct loader *l;
	double t0, t1, t2;
	int err;

	*out = NULL;
	if (geteuid() != 0) {
		/* capabilities may still allow it: try, and explain EPERM below */
		psc_dbg("not running as root");
	}
	err = check_environment();
	if (err)
		return err;
	verbose_level = opts->verbose;
	libbpf_set_print(libbpf_print);
	/* kernels >= 5.11 account BPF memory to the cgroup: a failure here is not fatal */
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		psc_dbg("could not raise RLIMIT_MEMLOCK: %s", strerror(errno));

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->opts = *opts;
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0)
		l->ncpus = 1;
	l->ringbuf_size = opts->ringbuf_size ? opts->ringbuf_size : default_ringbuf_size(l->ncpus);
	l->percpu = calloc(l->ncpus, sizeof(*l->percpu));
	if (!l->percpu) {
		err = -ENOMEM;
		goto out_free;
	}

	l->skel = procscope_bpf__open();
	if (!l->skel) {
		err = -errno;
		report_load_error(err);
		goto out_free;
	}
	l->skel->rodata->cfg_self_tgid = opts->self_tgid;
	l->skel->rodata->cfg_filter_mode = opts->filter_mode;
	l->skel->rodata->cfg_groups = opts->groups;
	l->skel->rodata->cfg_sched_slices = opts->sched_slices;
	l->skel->rodata->cfg_tick_ns = procfs_tick_ns();
	/* the reader polls every few ms anyway: wake it early only when the ring fills up */
	l->skel->rodata->cfg_wakeup_bytes = l->ringbuf_size / 8;
	/* the key of the unix group's sk_id: without it no kernel address can be read back */
	if (getrandom((void *)&l->skel->rodata->cfg_sk_key, sizeof(__u64), 0) != sizeof(__u64)) {
		err = -EIO;
		psc_err("failed to get a random key: %s", strerror(errno));
		goto out_free;
	}
	disable_unused_groups(l);
	t0 = mono_ms();
	err = disable_missing_tracepoints(l);
	t1 = mono_ms();
	if (err)
		goto out_free;
	err = bpf_map__set_max_entries(l->skel->maps.events, l->ringbuf_size);
	if (err) {
		psc_err("failed to size the ring buffer to %zu bytes: %s", l->ringbuf_size,
			strerror(-err));
		goto out_free;
	}
	err = size_tree_maps(l);
	if (err)
		goto out_free;
	if (opts->verbose >= 3) {
		err = request_verifier_stats(l);
		if (err)
			goto out_free;
	}
	t2 = mono_ms();
	err = procscope_bpf__load(l->skel);
	if (err) {
		report_load_error(err);
		goto out_free;
	}
	psc_dbg("tracepoints checked in %.1f ms, programs loaded and verified in %.1f ms", t1 - t0,
		mono_ms() - t2);
	if (l->verifier_log)
		print_verifier_stats(l);
	err = ringbuf_new(&l->rb, bpf_map__fd(l->skel->maps.events), l->ringbuf_size,
			  opts->on_record, opts->ctx);
	if (err) {
		psc_err("failed to create the ring buffer reader: %s", strerror(-err));
		goto out_free;
	}
	*out = l;
	return 0;

out_free:
	loader_free(l);
	return err;
}

/* Do tracked entry @t and a start of @start_ns (@ticks: /proc's precision) name one process? */
static bool tracked_same(const struct psc_tracked *t, uint64_t start_ns, bool ticks)
{
	uint64_t tick = procfs_tick_ns();

	if ((ticks || (t->flags & PSC_TRACKED_TICKS)) && tick)
		return t->start_ns / tick == start_ns / tick;
	return t->start_ns == start_ns;
}

int loader_track(struct loader *l, uint32_t tgid, uint64_t start_ns, bool exact, bool zombie)
{
	/* a start in /proc's clock ticks is compared at that precision */
	struct psc_tracked t = { .start_ns = start_ns,
				 .exited = zombie,
				 .flags = exact ? 0 : PSC_TRACKED_TICKS },
			   old;
	uint32_t bit = tgid & (PSC_TRACKED_HINT_BITS - 1);
	int fd = bpf_map__fd(l->skel->maps.tracked);

	/* the hint first (see psc_tracked_hint): atomic, the BPF side sets bits of the same words */
	__atomic_fetch_or(&l->skel->bss->psc_tracked_hint[bit / 64], 1ull << (bit % 64),
			  __ATOMIC_SEQ_CST);
	if (!bpf_map_update_elem(fd, &tgid, &t, BPF_NOEXIST))
		return 0;
	if (errno != EEXIST)
		return -errno;
	/*
	 * Followed already (a second walk after attach, or the fork hook): never clear an exit
	 * the kernel side has marked since, or the reap that follows would not count. Only an
	 * earlier holder of the pid is replaced.
	 */
	if (!bpf_map_lookup_elem(fd, &tgid, &old) && tracked_same(&old, start_ns, !exact)) {
		if (old.exited || !zombie)
			return 0;
		old.exited = 1;
		t = old;
	}
	if (bpf_map_update_elem(fd, &tgid, &t, BPF_ANY))
		return -errno;
	return 0;
}

int loader_watch_socket(struct loader *l, uint64_t ino)
{
	__u8 one = 1;

	if (bpf_map__update_elem(l->skel->maps.rx_watch, &ino, sizeof(ino), &one, sizeof(one),
				 BPF_ANY))
		return -errno;
	return 0;
}

int loader_attach(struct loader *l)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_link *link;

		/* run on demand: loader_proc_starts() */
		if (!bpf_program__autoload(prog) || prog == l->skel->progs.seed_starts)
			continue;
		if (l->nlinks == MAX_LINKS)
			return -E2BIG;
		link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			psc_err("failed to attach %s (%s): %s", bpf_program__name(prog),
				bpf_program__section_name(prog), strerror(-err));
			return err;
		}
		l->links[l->nlinks++] = link;
		if (prog == l->skel->progs.sched_flush)
			l->sched_iter = link;
	}
	return 0;
}

int loader_sched_flush(struct loader *l)
{
	char buf[256];
	ssize_t n;
	int fd;

	if (!l->sched_iter)
		return 0;
	/* the program writes into the ring, not the seq file: read it to the end to run it */
	fd = bpf_iter_create(bpf_link__fd(l->sched_iter));
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0 || (n < 0 && errno == EINTR));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static int cmp_start(const void *a, const void *b)
{
	const struct psc_proc_start *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

int loader_proc_starts(struct loader *l, struct psc_proc_start **out, size_t *n)
{
	struct psc_proc_start *v = NULL;
	size_t cap = 0, len = 0;
	struct bpf_link *link;
	ssize_t r = 0;
	int fd, err = 0;

	*out = NULL;
	*n = 0;
	link = bpf_program__attach_iter(l->skel->progs.seed_starts, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		err = -errno;
	while (fd >= 0) {
		if (cap - len < 256) {
			struct psc_proc_start *nv = realloc(v, (cap + 1024) * sizeof(*v));

			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
			cap += 1024;
		}
		/* 16-byte records, and a read of a multiple of 16 bytes returns whole ones */
		r = read(fd, (char *)(v + len), (cap - len) * sizeof(*v));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		len += (size_t)r / sizeof(*v);
	}
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	if (err) {
		free(v);
		return err;
	}
	if (len)
		qsort(v, len, sizeof(*v), cmp_start);
	*out = v;
	*n = len;
	return 0;
}

int loader_poll(struct loader *l, int timeout_ms)
{
	return ringbuf_poll(l->rb, timeout_ms);
}

int loader_drain(struct loader *l)
{
	return ringbuf_consume(l->rb);
}

static int sum_percpu(struct loader *l, struct bpf_map *map, __u32 key, uint64_t *out)
{
	int i;

	*out = 0;
	if (bpf_map__lookup_elem(map, &key, sizeof(key), l->percpu, sizeof(*l->percpu) * l->ncpus,
				 0))
		return -errno;
	for (i = 0; i < l->ncpus; i++)
		*out += l->percpu[i];
	return 0;
}

int loader_read_drops(struct loader *l, uint64_t by_type[PSC_EV_TYPE_MAX])
{
	__u32 t;
	int err;

	/* only the types that exist can have drops: a lookup each, not one per slot */
	for (t = 0; t < PSC_EV_TYPE_MAX; t++) {
		by_type[t] = 0;
		if (!decode_type_name(t))
			continue;
		err = sum_percpu(l, l->skel->maps.drops, t, &by_type[t]);
		if (err)
			return err;
	}
	return 0;
}

uint64_t loader_track_overflows(struct loader *l)
{
	uint64_t v = 0;

	sum_percpu(l, l->skel->maps.stats, PSC_STAT_TRACK_FULL, &v);
	return v;
}

size_t loader_ringbuf_size(const struct loader *l)
{
	return l->ringbuf_size;
}

const char *loader_missing(const struct loader *l)
{
	return l->missing;
}

void loader_free(struct loader *l)
{
	size_t i;

	if (!l)
		return;
	ringbuf_free(l->rb);
	for (i = 0; i < l->nlinks; i++)
		bpf_link__destroy(l->links[i]);
	procscope_bpf__destroy(l->skel);
	free(l->verifier_log);
	free(l->percpu);
	free(l);
}
