// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/core/decode.c: the first code untrusted ring-buffer bytes meet. Exact sizes only,
 * strings always terminated, counts within capacity, and no input (however mangled) crashes it.
 * The proc records are checked field by field; every type in the schema registry generically.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "schema.h"

static const struct {
	__u32 type;
	const char *name;
	size_t size;
} known[] = {
	{ PSC_EV_PROC_FORK, "fork", sizeof(struct psc_ev_proc_fork) },
	{ PSC_EV_PROC_EXEC, "exec", sizeof(struct psc_ev_proc_exec) },
	{ PSC_EV_PROC_EXIT, "exit", sizeof(struct psc_ev_proc_exit) },
	{ PSC_EV_PROC_REAP, "reap", sizeof(struct psc_ev_proc_reap) },
	{ PSC_EV_PROC_FREE, "free", sizeof(struct psc_ev_proc_free) },
	{ PSC_EV_PROC_SEED, "seed", sizeof(struct psc_ev_proc_seed) },
};

#define NKNOWN (sizeof(known) / sizeof(known[0]))

static const struct schema_type *const *all_types(size_t *n)
{
	const struct schema_type *const *all = schema_all(n);

	assert_true(*n >= NKNOWN);
	return all;
}

static uint32_t get_u32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

/* What decode promises about an accepted record, from its table */
static void check_invariants(const union psc_event *ev, size_t len)
{
	const struct schema_type *st = schema_lookup(ev->hdr.type);
	const struct schema_field *f;
	const char *base = (const char *)ev;

	assert_non_null(st);
	assert_int_equal(ev->hdr.size, len);
	assert_int_equal(st->size, len);
	assert_int_equal(decode_type_size(ev->hdr.type), len);
	for (f = st->fields; f->name; f++) {
		assert_true(f->off + f->size <= st->size);
		switch (f->kind) {
		case SK_STR:
			assert_int_equal(base[f->off + f->size - 1], '\0');
			break;
		case SK_ARGV:
			assert_true(get_u32(ev, f->aux) <= f->size);
			break;
		case SK_READY:
			assert_true(get_u32(ev, f->aux) <=
				    f->size / sizeof(struct psc_epoll_ready));
			break;
		case SK_UNIXADDR:
			assert_true(get_u32(ev, f->off) <= PSC_UNIX_PATH_LEN);
			break;
		default:
			break;
		}
	}
}

/* A valid record of @type with every field set to something recognizable */
static void make_record(union psc_event *ev, __u32 type)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.ts_ns = 1000000007ull;
	ev->hdr.start_ns = 999;
	ev->hdr.type = type;
	ev->hdr.size = (__u32)decode_type_size(type);
	ev->hdr.tgid = 42;
	ev->hdr.tid = 43;
	switch (type) {
	case PSC_EV_PROC_FORK:
		ev->fork.parent_tgid = 42;
		ev->fork.child_tgid = 44;
		ev->fork.child_tid = 44;
		ev->fork.child_start_ns = 1000000000ull;
		strcpy(ev->fork.comm, "bash");
		break;
	case PSC_EV_PROC_EXEC:
		ev->exec.old_tid = 42;
		ev->exec.args_len = 8;
		memcpy(ev->exec.args, "ls\0-la\0\0", 8);
		strcpy(ev->exec.comm, "ls");
		strcpy(ev->exec.filename, "/bin/ls");
		break;
	case PSC_EV_PROC_EXIT:
		ev->exit.exit_code = 9;
		ev->exit.flags = PSC_EXIT_GROUP_DEAD;
		ev->exit.parent_tgid = 1;
		ev->exit.reaper_tgid = 1;
		strcpy(ev->exit.comm, "sleep");
		break;
	case PSC_EV_PROC_REAP:
		ev->reap.reaped_tgid = 44;
		ev->reap.status = 1 << 8;
		break;
	case PSC_EV_PROC_SEED:
		ev->seed.parent_tgid = 1;
		ev->seed.nr_threads = 4;
		ev->seed.state = 'S';
		strcpy(ev->seed.comm, "systemd");
		strcpy(ev->seed.filename, "/usr/lib/systemd/systemd");
		break;
	default:
		break;
	}
}

static void test_decode__exact_sizes(void **state)
{
	const struct schema_type *const *all;
	union psc_event ev, out;
	size_t i, n;

	for (i = 0; i < NKNOWN; i++) {
		make_record(&ev, known[i].type);
		assert_int_equal(decode_type_size(known[i].type), known[i].size);
		memset(&out, 0xa5, sizeof(out));
		assert_int_equal(decode_record(&ev, known[i].size, &out), 0);
		assert_memory_equal(&out, &ev, known[i].size);
	}
	/* the sizes are the ABI */
	assert_int_equal(decode_type_size(PSC_EV_PROC_FORK), 80);
	assert_int_equal(decode_type_size(PSC_EV_PROC_EXEC), 576);
	assert_int_equal(decode_type_size(PSC_EV_PROC_EXIT), 80);
	assert_int_equal(decode_type_size(PSC_EV_PROC_REAP), 48);
	assert_int_equal(decode_type_size(PSC_EV_PROC_FREE), 32);
	assert_int_equal(decode_type_size(PSC_EV_PROC_SEED), 328);

	/* every type of the registry: a zeroed record of its size is valid */
	all = all_types(&n);
	for (i = 0; i < n; i++) {
		assert_true(all[i]->size >= sizeof(struct psc_ev_hdr));
		assert_true(all[i]->size <= sizeof(union psc_event));
		assert_int_equal(decode_type_size(all[i]->type), all[i]->size);
		make_record(&ev, all[i]->type);
		assert_int_equal(decode_record(&ev, all[i]->size, &out), 0);
		assert_memory_equal(&out, &ev, all[i]->size);
		check_invariants(&out, all[i]->size);
	}
}

static void test_decode__unaligned(void **state)
{
	unsigned char buf[sizeof(union psc_event) + 8];
	const struct schema_type *const *all;
	union psc_event ev, out;
	size_t i, n, off;

	all = all_types(&n);
	for (i = 0; i < n; i++) {
		make_record(&ev, all[i]->type);
		for (off = 1; off < 8; off++) {
			memcpy(buf + off, &ev, all[i]->size);
			assert_int_equal(decode_record(buf + off, all[i]->size, &out), 0);
			assert_memory_equal(&out, &ev, all[i]->size);
		}
	}
}

static void test_decode__size_mismatch(void **state)
{
	unsigned char buf[sizeof(union psc_event) + 64];
	const struct schema_type *const *all;
	union psc_event ev, out;
	size_t i, n, len;

	all = all_types(&n);
	for (i = 0; i < n; i++) {
		size_t sz = all[i]->size;
		struct psc_ev_hdr h;

		/* hdr.size != len */
		make_record(&ev, all[i]->type);
		ev.hdr.size = (__u32)sz + 1;
		assert_int_equal(decode_record(&ev, sz, &out), -EBADMSG);
		ev.hdr.size = (__u32)sz - 1;
		assert_int_equal(decode_record(&ev, sz, &out), -EBADMSG);
		ev.hdr.size = 0;
		assert_int_equal(decode_record(&ev, sz, &out), -EBADMSG);
		ev.hdr.size = 0xffffffffu;
		assert_int_equal(decode_record(&ev, sz, &out), -EBADMSG);

		/* hdr.size == len, but not the type's size */
		make_record(&ev, all[i]->type);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &ev, sz);
		for (len = sizeof(struct psc_ev_hdr); len <= sizeof(buf); len++) {
			if (len == sz)
				continue;
			memcpy(&h, buf, sizeof(h));
			h.size = (__u32)len;
			memcpy(buf, &h, sizeof(h));
			assert_int_equal(decode_record(buf, len, &out), -EBADMSG);
		}
	}
}

static void test_decode__unknown_type(void **state)
{
	static const __u32 big[] = { PSC_EV_TYPE_MAX, 65, 0x10000u, 0x80000000u, 0xffffffffu };
	union psc_event ev, out;
	size_t i, unknown = 0, n;
	__u32 t;

	/* every number the registry does not name, including the holes between the groups */
	for (t = 0; t < PSC_EV_TYPE_MAX; t++) {
		if (schema_lookup(t))
			continue;
		unknown++;
		make_record(&ev, PSC_EV_PROC_FORK);
		ev.hdr.type = t;
		assert_int_equal(decode_record(&ev, sizeof(ev.fork), &out), -EPROTO);
		ev.hdr.size = sizeof(ev.hdr);
		assert_int_equal(decode_record(&ev, sizeof(ev.hdr), &out), -EPROTO);
		assert_int_equal(decode_type_size(t), 0);
		assert_null(decode_type_name(t));
	}
	all_types(&n);
	assert_int_equal(unknown + n, PSC_EV_TYPE_MAX);
	assert_null(schema_lookup(0));
	assert_null(schema_lookup(8));
	assert_null(schema_lookup(PSC_EV_TYPE_MAX - 1));
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		make_record(&ev, PSC_EV_PROC_FORK);
		ev.hdr.type = big[i];
		assert_int_equal(decode_record(&ev, sizeof(ev.fork), &out), -EPROTO);
		assert_int_equal(decode_type_size(big[i]), 0);
		assert_null(decode_type_name(big[i]));
	}
}

static void test_decode__short(void **state)
{
	union psc_event ev, out;
	size_t len;

	make_record(&ev, PSC_EV_PROC_FREE);
	for (len = 0; len < sizeof(struct psc_ev_hdr); len++) {
		ev.hdr.size = (__u32)len;
		assert_int_equal(decode_record(&ev, len, &out), -EBADMSG);
	}
	assert_int_equal(decode_record(NULL, sizeof(ev.free), &out), -EBADMSG);
	/* longer than any record */
	assert_int_equal(decode_record(&ev, sizeof(ev) + 1, &out), -EBADMSG);
	ev.hdr.size = sizeof(ev.free);
	assert_int_equal(decode_record(&ev, sizeof(ev.free), &out), 0);
}

/* Every byte of every string field set, no NUL anywhere */
static void test_decode__unterminated_strings(void **state)
{
	const struct schema_type *const *all;
	union psc_event ev, out;
	size_t i, n, nstr = 0;

	make_record(&ev, PSC_EV_PROC_FORK);
	memset(ev.fork.comm, 'A', sizeof(ev.fork.comm));
	assert_int_equal(decode_record(&ev, sizeof(ev.fork), &out), 0);
	assert_int_equal(strlen(out.fork.comm), PSC_COMM_LEN - 1);
	assert_int_equal(out.fork.comm[0], 'A');
	assert_int_equal(ev.fork.comm[PSC_COMM_LEN - 1], 'A'); /* the input is left alone */
	assert_int_equal(out.fork.child_tgid, 44);

	make_record(&ev, PSC_EV_PROC_EXEC);
	memset(ev.exec.comm, 'B', sizeof(ev.exec.comm));
	memset(ev.exec.filename, 'C', sizeof(ev.exec.filename));
	memset(ev.exec.args, 'D', sizeof(ev.exec.args));
	ev.exec.args_len = PSC_ARGS_LEN;
	assert_int_equal(decode_record(&ev, sizeof(ev.exec), &out), 0);
	assert_int_equal(strlen(out.exec.comm), PSC_COMM_LEN - 1);
	assert_int_equal(strlen(out.exec.filename), PSC_PATH_LEN - 1);
	assert_int_equal(out.exec.filename[0], 'C');
	/* args are counted bytes, not a C string: all of them stay */
	assert_int_equal(out.exec.args_len, PSC_ARGS_LEN);
	assert_int_equal(out.exec.args[PSC_ARGS_LEN - 1], 'D');

	make_record(&ev, PSC_EV_PROC_EXIT);
	memset(ev.exit.comm, 'E', sizeof(ev.exit.comm));
	assert_int_equal(decode_record(&ev, sizeof(ev.exit), &out), 0);
	assert_int_equal(strlen(out.exit.comm), PSC_COMM_LEN - 1);
	assert_int_equal(out.exit.reaper_tgid, 1);

	make_record(&ev, PSC_EV_PROC_SEED);
	memset(ev.seed.comm, 'F', sizeof(ev.seed.comm));
	memset(ev.seed.filename, 'G', sizeof(ev.seed.filename));
	assert_int_equal(decode_record(&ev, sizeof(ev.seed), &out), 0);
	assert_int_equal(strlen(out.seed.comm), PSC_COMM_LEN - 1);
	assert_int_equal(strlen(out.seed.filename), PSC_PATH_LEN - 1);
	assert_int_equal(out.seed.nr_threads, 4);

	/* every string field of every type in the registry */
	all = all_types(&n);
	for (i = 0; i < n; i++) {
		const struct schema_field *f;

		make_record(&ev, all[i]->type);
		for (f = all[i]->fields; f->name; f++)
			if (f->kind == SK_STR) {
				memset((char *)&ev + f->off, 'x', f->size);
				nstr++;
			}
		assert_int_equal(decode_record(&ev, all[i]->size, &out), 0);
		check_invariants(&out, all[i]->size);
		for (f = all[i]->fields; f->name; f++)
			if (f->kind == SK_STR)
				assert_int_equal(strlen((char *)&out + f->off), f->size - 1);
	}
	assert_true(nstr >= 6);
}

static void test_decode__exec_args_len(void **state)
{
	union psc_event ev, out;

	make_record(&ev, PSC_EV_PROC_EXEC);
	ev.exec.args_len = PSC_ARGS_LEN;
	assert_int_equal(decode_record(&ev, sizeof(ev.exec), &out), 0);
	ev.exec.args_len = 0;
	assert_int_equal(decode_record(&ev, sizeof(ev.exec), &out), 0);
	ev.exec.args_len = PSC_ARGS_LEN + 1;
	assert_int_equal(decode_record(&ev, sizeof(ev.exec), &out), -EBADMSG);
	ev.exec.args_len = 0xffffffffu;
	assert_int_equal(decode_record(&ev, sizeof(ev.exec), &out), -EBADMSG);
	ev.exec.args_len = 0x80000000u;
	assert_int_equal(decode_record(&ev, sizeof(ev.exec), &out), -EBADMSG);
}

/* The other counted fields: epoll ready entries and unix address lengths */
static void test_decode__counts(void **state)
{
	const struct schema_type *const *all;
	union psc_event ev, out;
	size_t i, n, counted = 0;

	all = all_types(&n);
	for (i = 0; i < n; i++) {
		const struct schema_field *f;

		for (f = all[i]->fields; f->name; f++) {
			size_t at, cap;
			uint32_t v;

			switch (f->kind) {
			case SK_ARGV:
				at = f->aux, cap = f->size;
				break;
			case SK_READY:
				at = f->aux, cap = f->size / sizeof(struct psc_epoll_ready);
				break;
			case SK_UNIXADDR:
				at = f->off, cap = PSC_UNIX_PATH_LEN;
				break;
			default:
				continue;
			}
			counted++;
			make_record(&ev, all[i]->type);
			v = (uint32_t)cap;
			memcpy((char *)&ev + at, &v, sizeof(v));
			assert_int_equal(decode_record(&ev, all[i]->size, &out), 0);
			v = (uint32_t)cap + 1;
			memcpy((char *)&ev + at, &v, sizeof(v));
			assert_int_equal(decode_record(&ev, all[i]->size, &out), -EBADMSG);
			v = 0xffffffffu;
			memcpy((char *)&ev + at, &v, sizeof(v));
			assert_int_equal(decode_record(&ev, all[i]->size, &out), -EBADMSG);
		}
	}
	assert_true(counted >= 1);
	/* the epoll wait record by name */
	make_record(&ev, PSC_EV_EPOLL_WAIT);
	ev.epoll_wait.nready = PSC_EPOLL_MAX_READY + 1;
	assert_int_equal(decode_record(&ev, sizeof(ev.epoll_wait), &out), -EBADMSG);
	ev.epoll_wait.nready = PSC_EPOLL_MAX_READY;
	assert_int_equal(decode_record(&ev, sizeof(ev.epoll_wait), &out), 0);
	/* the kernel leaves ready[] past nready as the ring had it: decode zeroes it */
	memset(ev.epoll_wait.ready, 0xa5, sizeof(ev.epoll_wait.ready));
	ev.epoll_wait.nready = 1;
	assert_int_equal(decode_record(&ev, sizeof(ev.epoll_wait), &out), 0);
	assert_int_equal(out.epoll_wait.ready[0].data, 0xa5a5a5a5a5a5a5a5ull);
	for (i = 1; i < PSC_EPOLL_MAX_READY; i++) {
		assert_int_equal(out.epoll_wait.ready[i].events, 0);
		assert_int_equal(out.epoll_wait.ready[i].data, 0);
	}
	make_record(&ev, PSC_EV_UNIX_BIND);
	ev.unix_bind.addr.len = PSC_UNIX_PATH_LEN + 1;
	assert_int_equal(decode_record(&ev, sizeof(ev.unix_bind), &out), -EBADMSG);
}

static void test_decode__type_names(void **state)
{
	const struct schema_type *const *all;
	size_t i, n, named = 0;
	__u32 t;

	for (i = 0; i < NKNOWN; i++) {
		assert_string_equal(decode_type_name(known[i].type), known[i].name);
		assert_int_equal(decode_type_from_name(known[i].name), known[i].type);
	}
	/* every named type round-trips, and has a size */
	for (t = 0; t < PSC_EV_TYPE_MAX + 4; t++) {
		const char *name = decode_type_name(t);

		if (!name) {
			assert_int_equal(decode_type_size(t), 0);
			continue;
		}
		named++;
		assert_true(name[0] != '\0');
		assert_int_equal(decode_type_from_name(name), t);
		assert_true(decode_type_size(t) >= sizeof(struct psc_ev_hdr));
		assert_true(decode_type_size(t) <= sizeof(union psc_event));
	}
	all = all_types(&n);
	assert_int_equal(named, n);
	/* the registry is in type order, without duplicates */
	for (i = 1; i < n; i++)
		assert_true(all[i - 1]->type < all[i]->type);
	assert_int_equal(decode_type_from_name(""), 0);
	assert_int_equal(decode_type_from_name("bogus"), 0);
	assert_int_equal(decode_type_from_name("FORK"), 0);
	assert_int_equal(decode_type_from_name("fork "), 0);
	assert_int_equal(decode_type_from_name("for"), 0);
	assert_int_equal(decode_type_from_name("orphan"), 0); /* derived, not a record */
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A process event must name a process: pid 0 is the idle task, which does none of these */
static void test_decode__pid_zero(void **state)
{
	static const __u32 types[] = { PSC_EV_PROC_FORK, PSC_EV_PROC_EXEC, PSC_EV_PROC_EXIT,
				       PSC_EV_PROC_REAP, PSC_EV_PROC_FREE, PSC_EV_PROC_SEED };
	union psc_event ev, out;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		make_record(&ev, types[i]);
		assert_int_equal(decode_record(&ev, ev.hdr.size, &out), 0);
		ev.hdr.tgid = 0;
		assert_int_equal(decode_record(&ev, ev.hdr.size, &out), -EBADMSG);
	}
	make_record(&ev, PSC_EV_PROC_FORK);
	ev.fork.child_tgid = 0;
	assert_int_equal(decode_record(&ev, sizeof(ev.fork), &out), -EBADMSG);
	make_record(&ev, PSC_EV_PROC_REAP);
	ev.reap.reaped_tgid = 0;
	assert_int_equal(decode_record(&ev, sizeof(ev.reap), &out), -EBADMSG);
	/* group events of no process are the model's to skip */
	make_record(&ev, PSC_EV_EPOLL_CREATE);
	ev.hdr.tgid = 0;
	assert_int_equal(decode_record(&ev, sizeof(ev.epoll_create), &out), 0);
}

/* 2^16 mutations of valid records: only the invariants are asserted */
static void test_decode__mutations(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t ok = 0, badmsg = 0, proto = 0, ntypes;
	const struct schema_type *const *all = all_types(&ntypes);
	unsigned int iter;

	for (iter = 0; iter < 1u << 16; iter++) {
		const struct schema_type *st = all[iter % ntypes];
		size_t size = st->size, len;
		union psc_event ev, out;
		unsigned char *buf;
		uint64_t r = xorshift(&seed);
		int ret, nmut, k;

		make_record(&ev, st->type);
		/* a few bytes set at random: anywhere, or in the header */
		nmut = (int)(r & 7);
		for (k = 0; k < nmut; k++) {
			uint64_t m = xorshift(&seed);
			size_t pos = (m >> 8) % ((m & 1) ? sizeof(ev.hdr) : size);

			((unsigned char *)&ev)[pos] = (unsigned char)(m >> 32);
		}
		if ((r >> 3) & 1) /* a plausible type with the wrong body */
			ev.hdr.type = (__u32)((r >> 8) % (PSC_EV_TYPE_MAX + 2));
		if (((r >> 4) & 3) == 0) /* no NUL anywhere in the body */
			memset((char *)&ev + sizeof(ev.hdr), 'x', size - sizeof(ev.hdr));
		/* the length: right, the header's, or anything up to past the union */
		switch ((r >> 6) & 3) {
		case 0:
		case 1:
			len = size;
			break;
		case 2:
			len = ev.hdr.size <= sizeof(ev) + 8 ? ev.hdr.size : size;
			break;
		default:
			len = (size_t)((r >> 16) % (sizeof(ev) + 9));
			break;
		}
		/* exactly @len bytes, so that ASan catches any read past them */
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		memcpy(buf, &ev, len < sizeof(ev) ? len : sizeof(ev));
		if (len > sizeof(ev))
			memset(buf + sizeof(ev), 0, len - sizeof(ev));
		ret = decode_record(buf, len, &out);
		free(buf);

		if (ret == -EPROTO) {
			proto++;
			assert_true(len >= sizeof(struct psc_ev_hdr));
			assert_int_equal(decode_type_size(ev.hdr.type), 0);
			continue;
		}
		if (ret == -EBADMSG) {
			badmsg++;
			continue;
		}
		assert_int_equal(ret, 0);
		ok++;
		check_invariants(&out, len);
	}
	/* every outcome was exercised */
	assert_true(ok > 1000);
	assert_true(badmsg > 1000);
	assert_true(proto > 100);
}

/* A record of @st from @seed's bytes that decode accepts (counts within capacity, strings ended) */
static void memo_record(const struct schema_type *st, uint64_t *seed, union psc_event *ev)
{
	unsigned char *b = (unsigned char *)ev;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < st->size; i++)
		b[i] = (unsigned char)(xorshift(seed) % 4 ? xorshift(seed) % 8 : xorshift(seed));
	ev->hdr.type = st->type;
	ev->hdr.size = st->size;
	if (schema_fixup(st, ev)) {
		memset(b + sizeof(ev->hdr), 0, st->size - sizeof(ev->hdr));
		assert_int_equal(schema_fixup(st, ev), 0);
	}
}

/*
 * The log's writer with its memo writes exactly what it writes without: records of every type
 * that repeat but for their timestamp, change a byte (one number member, then another: one
 * member written again, then two, which the memo does not serve; or a string, a count, an array),
 * move to another thread (another slot, or the same slot taken by another), change type, or are
 * written with another time base; and pretty output, which the memo does not serve.
 */
static void test_decode__memo_writes_the_same_bytes(void **state)
{
	const struct schema_type *const *all;
	struct schema_memo *memo = schema_memo_new();
	union psc_event ev[8];
	uint64_t seed = 42, base = 1000, r;
	size_t n, i, k, repeats = 0;
	struct jw a, b;

	(void)state;
	assert_non_null(memo);
	all = schema_all(&n);
	for (k = 0; k < 8; k++)
		memo_record(all[k % n], &seed, &ev[k]);
	jw_init(&a);
	jw_init(&b);
	for (i = 0; i < 200000; i++) {
		union psc_event *e = &ev[(r = xorshift(&seed)) % 8];
		const struct schema_type *st = schema_lookup(e->hdr.type);

		switch ((r >> 8) % 16) {
		case 0: /* another type */
			memo_record(all[(r >> 16) % n], &seed, e);
			st = schema_lookup(e->hdr.type);
			break;
		case 1: /* one byte of the record changes */
			if (st->size == sizeof(e->hdr))
				break;
			((unsigned char *)
				 e)[sizeof(e->hdr) + (r >> 16) % (st->size - sizeof(e->hdr))] ^=
				(unsigned char)(1u << ((r >> 40) % 8));
			if (schema_fixup(st, e))
				memo_record(st, &seed, e);
			break;
		case 2: /* another thread: another slot, or the same one taken by another thread */
			e->hdr.tid = (uint32_t)((r >> 16) % 200);
			break;
		case 3:
			base += (r >> 16) % 2;
			break;
		default: /* the same record, later */
			repeats++;
			break;
		}
		e->hdr.ts_ns += (r >> 20) % 100000;
		a.pretty = b.pretty = (r >> 48) % 64 == 0;
		jw_obj_start(&a);
		schema_write_record(&a, st, e, base);
		jw_obj_end(&a);
		jw_newline(&a);
		jw_obj_start(&b);
		schema_write_record_memo(&b, st, e, base, memo);
		jw_obj_end(&b);
		jw_newline(&b);
		assert_int_equal(jw_error(&a), 0);
		assert_int_equal(jw_error(&b), 0);
		if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
			print_message("i=%zu\n%s\n%s\n", i, a.buf, b.buf);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		jw_truncate(&a, 0);
		jw_truncate(&b, 0);
	}
	assert_true(repeats > 100000);
	jw_free(&a);
	jw_free(&b);
	schema_memo_free(memo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode__exact_sizes),
		cmocka_unit_test(test_decode__unaligned),
		cmocka_unit_test(test_decode__size_mismatch),
		cmocka_unit_test(test_decode__unknown_type),
		cmocka_unit_test(test_decode__short),
		cmocka_unit_test(test_decode__unterminated_strings),
		cmocka_unit_test(test_decode__exec_args_len),
		cmocka_unit_test(test_decode__counts),
		cmocka_unit_test(test_decode__type_names),
		cmocka_unit_test(test_decode__pid_zero),
		cmocka_unit_test(test_decode__mutations),
		cmocka_unit_test(test_decode__memo_writes_the_same_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
