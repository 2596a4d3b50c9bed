// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The drain thread and its bounded queue (see drain.h). The queue is a singly linked list of
 * chunks: the producer appends records to the last one and links a new one when it is full; the
 * consumer reads from the first and unmaps it once the producer has moved on. Chunks are mapped
 * directly (not malloc'ed) so that a read burst gives its memory back to the system.
 *
 * Records are queued compactly, as what changed since the last record of the same slot (a hash
 * of type and thread): a busy thread repeats its pid, start time, socket inodes and zeroes from
 * one event to the next, and mostly its timestamps change. An entry is
 *   u16 len, u16 keep, u8 slot, mask[(words + 7) / 8], one u64 per set mask bit
 * where words = (keep + 7) / 8 are the record's first keep bytes in 8-byte words (the last one
 * zero-padded), a set bit is a word that differs from the slot's, and the bytes from keep to len
 * (an epoll wait's unused ready[] entries) come back as zeroes. Both sides keep the same slots
 * (the consumer applies entries in the order they were written), so a 56-96-byte record of a
 * ping-pong takes 15-30 bytes: a burst of a million events fits the default queue. A record
 * too long for a slot (none is, unless malformed) is queued whole: len = 0xffff, u32 length,
 * the bytes.
 *
 * Encoding costs both threads CPU for every record, and it only pays while records wait: so
 * while the consumer keeps up (less than a chunk's bytes queued and not yet applied), a record
 * is copied as it is instead,
 *   u16 0xfffe, u16 len, u16 keep, the first keep bytes
 * and neither side's slots change (they stay equal, so the next encoded entry is right).
 */
#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "decode.h"
#include "drain.h"
#include "format.h"
#include "loader.h"

#define DRAIN_POLL_MS 10
#define CHUNK_MAX (1u << 20)
#define SLOTS 256
#define SLOT_WORDS ((sizeof(union psc_event) + 7) / 8)
#define ENTRY_HDR 5 /* u16 len, u16 keep, u8 slot */
#define ENTRY_RAW 0xffff /* len of a record queued whole */
#define ENTRY_COPY 0xfffe /* len of a record copied, not encoded */
#define ENTRY_COPY_HDR 6 /* u16 0xfffe, u16 len, u16 keep */
#define ENTRY_MAX (ENTRY_HDR + (SLOT_WORDS + 7) / 8 + SLOT_WORDS * 8)

/* The last record of a slot, as both sides saw it */
struct slot {
	uint64_t w[SLOT_WORDS];
};

struct chunk {
	struct chunk *next; /* set (release) once the producer writes elsewhere */
	size_t used; /* bytes written, published (release) after each record */
	size_t map_len;
	char data[] __attribute__((aligned(8)));
};

struct drain {
	size_t chunk_bytes; /* mapping size of a chunk */
	size_t max_chunks; /* the bound, in chunks */
	/* consumer side */
	struct chunk *head;
	size_t head_pos;
	union psc_event scratch; /* the record rebuilt from its entry */
	struct slot *out_slots;
	size_t applied; /* bytes of entries applied, the consumer's count */
	/* producer side */
	struct chunk *tail;
	size_t queued; /* bytes of entries queued */
	bool unsignalled; /* records pushed since the consumer was last woken */
	struct slot *in_slots;
	unsigned char entry[ENTRY_MAX]; /* the entry being encoded */
	/* shared */
	size_t applied_seen; /* applied, as the consumer publishes it now and then */
	struct chunk *spare; /* one emptied chunk handed back by the consumer */
	size_t nchunks; /* chunks in the list */
	size_t peak_chunks;
	uint64_t drops[PSC_EV_TYPE_MAX];
	int stop;
	int err; /* the thread's poll error */
	int efd; /* eventfd: records are waiting */
	struct loader *ld;
	pthread_t thread;
	bool started;
};

static size_t load_sz(const size_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static struct chunk *chunk_new(struct drain *d)
{
	struct chunk *c = __atomic_exchange_n(&d->spare, NULL, __ATOMIC_ACQ_REL);

	if (!c) {
		c = mmap(NULL, d->chunk_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (c == MAP_FAILED)
			return NULL;
		c->map_len = d->chunk_bytes;
	}
	c->next = NULL;
	c->used = 0;
	return c;
}

static void chunk_release(struct drain *d, struct chunk *c)
{
	struct chunk *none = NULL;

	if (!__atomic_compare_exchange_n(&d->spare, &none, c, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		munmap(c, c->map_len);
}

static size_t chunk_cap(const struct drain *d)
{
	return d->chunk_bytes - offsetof(struct chunk, data);
}

int drain_new(struct drain **out, size_t queue_bytes)
{
	struct drain *d;

	*out = NULL;
	if (!queue_bytes)
		queue_bytes = DRAIN_DEFAULT_QUEUE;
	if (queue_bytes < DRAIN_MIN_QUEUE)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* eight chunks or more: a chunk being read and one being written leave room for a burst */
	d->chunk_bytes = queue_bytes / 8 < CHUNK_MAX ? queue_bytes / 8 : CHUNK_MAX;
	d->chunk_bytes &= ~(size_t)4095;
	d->max_chunks = queue_bytes / d->chunk_bytes;
	d->in_slots = calloc(SLOTS, sizeof(*d->in_slots));
	d->out_slots = calloc(SLOTS, sizeof(*d->out_slots));
	d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd < 0 || !d->in_slots || !d->out_slots) {
		int err = d->efd < 0 ? -errno : -ENOMEM;

		drain_free(d);
		return err;
	}
	d->head = d->tail = chunk_new(d);
	if (!d->head) {
		int err = -errno;

		drain_free(d);
		return err;
	}
	d->nchunks = d->peak_chunks = 1;
	*out = d;
	return 0;
}

static void drop(struct drain *d, const void *data, size_t len)
{
	uint32_t type = 0;

	if (len >= offsetof(struct psc_ev_hdr, type) + sizeof(type))
		memcpy(&type, (const char *)data + offsetof(struct psc_ev_hdr, type), sizeof(type));
	if (type >= PSC_EV_TYPE_MAX)
		type = 0;
	__atomic_fetch_add(&d->drops[type], 1, __ATOMIC_RELAXED);
}

/* The slot of a record: its type and thread, as the ring's header has them */
static unsigned int slot_of(const void *data, size_t len)
{
	struct psc_ev_hdr hdr;

	if (len < sizeof(hdr))
		return 0;
	memcpy(&hdr, data, sizeof(hdr));
	return (hdr.tid * 31u + hdr.type) % SLOTS;
}

/* Word @i of the first @keep bytes of @data, zero-padded */
static uint64_t word_at(const unsigned char *data, size_t keep, size_t i)
{
	uint64_t v = 0;

	memcpy(&v, data + i * 8, keep - i * 8 < 8 ? keep - i * 8 : 8);
	return v;
}

/*
 * Encode @data's first @keep bytes against @sl into d->entry (the slot is left as it is: the
 * entry may not fit). The entry's size.
 */
static size_t encode(struct drain *d, const unsigned char *data, size_t len, size_t keep,
		     unsigned int slot)
{
	const struct slot *sl = &d->in_slots[slot];
	size_t words = (keep + 7) / 8, i, at = ENTRY_HDR + (words + 7) / 8;
	unsigned char *e = d->entry, *mask = e + ENTRY_HDR;
	uint16_t h[2] = { (uint16_t)len, (uint16_t)keep };

	memcpy(e, h, sizeof(h));
	e[4] = (unsigned char)slot;
	memset(mask, 0, (words + 7) / 8);
	for (i = 0; i < words; i++) {
		uint64_t v = word_at(data, keep, i);

		if (v == sl->w[i])
			continue;
		mask[i / 8] |= (unsigned char)(1u << (i % 8));
		memcpy(e + at, &v, sizeof(v));
		at += sizeof(v);
	}
	return at;
}

int drain_push_record(void *ctx, void *data, size_t len)
{
	struct drain *d = ctx;
	struct chunk *t = d->tail, *c;
	/* an epoll wait's unused ready[] entries: 3/4 of the busiest record, not worth queueing */
	size_t keep = decode_record_needed(data, len), need, words;
	unsigned int slot = slot_of(data, len);
	bool raw = len > sizeof(union psc_event);
	/* the consumer keeps up: less than a chunk's bytes wait */
	bool copy = !raw && d->queued - load_sz(&d->applied_seen) < d->chunk_bytes;

	if (raw)
		need = 2 + sizeof(uint32_t) + len;
	else if (copy)
		need = ENTRY_COPY_HDR + keep;
	else
		need = encode(d, data, len, keep, slot);
	if (need > chunk_cap(d)) {
		drop(d, data, len);
		return 0;
	}
	if (t->used + need > chunk_cap(d)) {
		size_t n = __atomic_load_n(&d->nchunks, __ATOMIC_ACQUIRE);

		if (n >= d->max_chunks) {
			drop(d, data, len); /* the queue is at its bound */
			return 0;
		}
		c = chunk_new(d);
		if (!c) {
			drop(d, data, len); /* out of memory counts as a full queue */
			return 0;
		}
		n = __atomic_add_fetch(&d->nchunks, 1, __ATOMIC_ACQ_REL);
		if (n > d->peak_chunks)
			d->peak_chunks = n;
		__atomic_store_n(&t->next, c, __ATOMIC_RELEASE);
		d->tail = t = c;
	}
	if (copy) {
		uint16_t h[3] = { ENTRY_COPY, (uint16_t)len, (uint16_t)keep };

		memcpy(t->data + t->used, h, sizeof(h));
		memcpy(t->data + t->used + sizeof(h), data, keep);
	} else if (raw) {
		uint16_t mark = ENTRY_RAW;
		uint32_t n32 = (uint32_t)len;

		memcpy(t->data + t->used, &mark, sizeof(mark));
		memcpy(t->data + t->used + sizeof(mark), &n32, sizeof(n32));
		memcpy(t->data + t->used + sizeof(mark) + sizeof(n32), data, len);
	} else {
		memcpy(t->data + t->used, d->entry, need);
		/* the slot now holds this record, as the consumer will rebuild it */
		words = (keep + 7) / 8;
		if (words) {
			d->in_slots[slot].w[words - 1] = 0;
			memcpy(d->in_slots[slot].w, data, keep);
		}
	}
	__atomic_store_n(&t->used, t->used + need, __ATOMIC_RELEASE);
	d->queued += need;
	d->unsignalled = true;
	return 0;
}

static void wake_consumer(struct drain *d)
{
	uint64_t one = 1;

	if (!d->unsignalled)
		return;
	d->unsignalled = false;
	/* EAGAIN: the counter is saturated, the consumer is woken anyway */
	if (write(d->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		__atomic_store_n(&d->err, -errno, __ATOMIC_RELEASE);
}

/*
 * The drain thread's own settings, first thing. It must run soon after each wakeup on a busy
 * machine, or the ring fills while it waits for a CPU: real-time priority 1 where procscope
 * may (it only copies, then sleeps), else a lower nice value, else as it is. Then it needs no
 * privilege at all (reading the mapped ring, polling its fd): capabilities belong to each
 * thread, so it drops every one of its own, whatever the session thread keeps.
 */
static void drain_thread_init(void)
{
	struct sched_param sp = { .sched_priority = 1 };
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2] = { 0 };
	int cap;

	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp))
		(void)setpriority(PRIO_PROCESS, 0, -10); /* 0: this thread, on Linux */
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		(void)prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	(void)syscall(SYS_capset, &hdr, none);
}

static void *drain_thread(void *arg)
{
	struct drain *d = arg;
	int n;

	drain_thread_init();
	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		n = loader_poll(d->ld, DRAIN_POLL_MS);
		if (n < 0 && n != -EINTR) {
			__atomic_store_n(&d->err, n, __ATOMIC_RELEASE);
			d->unsignalled = true;
			wake_consumer(d);
			return NULL;
		}
		wake_consumer(d);
	}
	/* the last records submitted before the stop */
	loader_drain(d->ld);
	wake_consumer(d);
	return NULL;
}

int drain_start(struct drain *d, struct loader *ld)
{
	sigset_t all, old;
	int err;

	d->ld = ld;
	/* signals are the session thread's business: the drain thread blocks them all */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&d->thread, NULL, drain_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	d->started = true;
	return 0;
}

/* Hand every record queued so far to @cb */
/*
 * Apply what is queued, at most DRAIN_BATCH records: the caller's loop must get to its deadline
 * (-d), signals and housekeeping even when the drain thread queues faster than it applies
 */
#define DRAIN_BATCH 8192

/*
 * Rebuild the record of the entry at @e into d->scratch (or point into the chunk at a raw one):
 * the entry's size
 */
static size_t decode_entry(struct drain *d, const unsigned char *e, void **rec, size_t *len)
{
	uint16_t h[2];
	uint32_t n32;
	size_t words, i, at;
	const unsigned char *mask;
	struct slot *sl;

	memcpy(h, e, sizeof(h));
	if (h[0] == ENTRY_COPY) {
		uint16_t keep;

		memcpy(&keep, e + 2 * sizeof(h[0]), sizeof(keep));
		memcpy(&d->scratch, e + ENTRY_COPY_HDR, keep);
		if (h[1] > keep)
			memset((char *)&d->scratch + keep, 0, h[1] - keep);
		*rec = &d->scratch;
		*len = h[1];
		return ENTRY_COPY_HDR + keep;
	}
	if (h[0] == ENTRY_RAW) {
		memcpy(&n32, e + sizeof(h[0]), sizeof(n32));
		*rec = (void *)(e + sizeof(h[0]) + sizeof(n32));
		*len = n32;
		return sizeof(h[0]) + sizeof(n32) + n32;
	}
	sl = &d->out_slots[e[4]];
	words = (h[1] + 7u) / 8;
	mask = e + ENTRY_HDR;
	at = ENTRY_HDR + (words + 7) / 8;
	for (i = 0; i < words; i++) {
		if (!(mask[i / 8] & (1u << (i % 8))))
			continue;
		memcpy(&sl->w[i], e + at, sizeof(sl->w[i]));
		at += sizeof(sl->w[i]);
	}
	memcpy(&d->scratch, sl->w, h[1]);
	if (h[0] > h[1])
		memset((char *)&d->scratch + h[1], 0, h[0] - h[1]);
	*rec = &d->scratch;
	*len = h[0];
	return at;
}

/* What the producer reads to choose between copying and encoding; returns @ret */
static int publish_applied(struct drain *d, int ret)
{
	__atomic_store_n(&d->applied_seen, d->applied, __ATOMIC_RELAXED);
	return ret;
}

static int consume_queued(struct drain *d, drain_cb cb, void *ctx)
{
	int n = 0, err;

	for (;;) {
		struct chunk *c = d->head, *next;
		size_t used = load_sz(&c->used), len;
		void *rec;

		while (d->head_pos < used) {
			size_t at = d->head_pos;

			if (n >= DRAIN_BATCH)
				return publish_applied(d, n);
			d->head_pos += decode_entry(d, (unsigned char *)c->data + at, &rec, &len);
			d->applied += d->head_pos - at;
			err = cb(ctx, rec, len);
			if (err < 0)
				return publish_applied(d, err);
			if (!(++n % 256))
				publish_applied(d, n);
		}
		next = __atomic_load_n(&c->next, __ATOMIC_ACQUIRE);
		if (!next)
			return publish_applied(d, n);
		/* the producer wrote its last record here before linking the next chunk */
		if (d->head_pos < load_sz(&c->used))
			continue;
		d->head = next;
		d->head_pos = 0;
		chunk_release(d, c);
		__atomic_sub_fetch(&d->nchunks, 1, __ATOMIC_ACQ_REL);
	}
}

int drain_consume(struct drain *d, int timeout_ms, drain_cb cb, void *ctx)
{
	struct pollfd pfd = { .fd = d->efd, .events = POLLIN };
	uint64_t v;
	int n, err;

	n = consume_queued(d, cb, ctx);
	if (n)
		return n;
	err = __atomic_load_n(&d->err, __ATOMIC_ACQUIRE);
	if (err)
		return err;
	if (timeout_ms > 0 && poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	if (read(d->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return consume_queued(d, cb, ctx);
}

void drain_stop(struct drain *d)
{
	if (!d || !d->started)
		return;
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	pthread_join(d->thread, NULL);
	d->started = false;
}

void drain_read_drops(struct drain *d, uint64_t by_type[PSC_EV_TYPE_MAX])
{
	int t;

	for (t = 0; t < PSC_EV_TYPE_MAX; t++)
		by_type[t] = __atomic_load_n(&d->drops[t], __ATOMIC_RELAXED);
}

size_t drain_peak_bytes(const struct drain *d)
{
	return __atomic_load_n(&d->peak_chunks, __ATOMIC_RELAXED) * d->chunk_bytes;
}

void drain_free(struct drain *d)
{
	struct chunk *c, *next;

	if (!d)
		return;
	drain_stop(d);
	for (c = d->head; c; c = next) {
		next = c->next;
		munmap(c, c->map_len);
	}
	if (d->spare)
		munmap(d->spare, d->spare->map_len);
	if (d->efd >= 0)
		close(d->efd);
	free(d->in_slots);
	free(d->out_slots);
	free(d);
}

int drain_parse_size(const char *s, size_t *out)
{
	uint64_t v;

	if (parse_bytes(s, &v) || v < DRAIN_MIN_QUEUE || v > (1ull << 40))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}
