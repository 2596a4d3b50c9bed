// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * epoll interest lists and wait statistics. A ready entry carries only the user's data value,
 * so each set keeps data -> registration as well as fd -> registration; fd reuse (a close
 * without EPOLL_CTL_DEL, then a new ADD) retires the old registration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "epoll_tl.h"
#include "hist.h"
#include "hmap.h"
#include "util.h"

#define EINTR_RET (-4)

struct set_priv {
	struct epoll_set pub;
	struct hmap by_fd; /* fd -> reg index + 1 */
	struct hmap by_data; /* data -> reg index + 1 */
	struct set_priv *next_of_owner;
};

/* The earliest send that made a socket readable since its reader last woke */
struct pending_wake {
	uint64_t ts;
	uint32_t pid;
	uint32_t tid;
	uint64_t start_ns;
};

struct epoll_tl {
	struct hmap sets_by_key; /* (owner seq, epfd) -> set_priv */
	struct epoll_set **sets;
	size_t nsets;
	size_t cap_sets;
	struct hmap polls_by_key;
	struct poll_use **polls;
	size_t npolls;
	size_t cap_polls;
	struct hmap pending; /* receiving socket ino -> pending_wake */
	struct hmap sets_by_owner; /* proc seq -> first set_priv of that process */
	struct epoll_ready_fd last[PSC_EPOLL_MAX_READY];
	size_t nlast;
};

struct epoll_tl *epoll_tl__new(void)
{
	struct epoll_tl *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	hmap_init(&tl->sets_by_key);
	hmap_init(&tl->polls_by_key);
	hmap_init(&tl->pending);
	hmap_init(&tl->sets_by_owner);
	return tl;
}

void epoll_tl__free(struct epoll_tl *tl)
{
	size_t i, pos = 0;
	void *v;

	if (!tl)
		return;
	for (i = 0; i < tl->nsets; i++) {
		struct set_priv *sp = (struct set_priv *)tl->sets[i];

		hmap_free(&sp->by_fd);
		hmap_free(&sp->by_data);
		free(sp->pub.regs);
		free(sp);
	}
	for (i = 0; i < tl->npolls; i++)
		free(tl->polls[i]);
	while ((v = hmap_next(&tl->pending, &pos, NULL)))
		free(v);
	hmap_free(&tl->sets_by_key);
	hmap_free(&tl->polls_by_key);
	hmap_free(&tl->pending);
	hmap_free(&tl->sets_by_owner);
	free(tl->sets);
	free(tl->polls);
	free(tl);
}

static uint64_t set_key(const struct proc *owner, int32_t epfd)
{
	return ((uint64_t)owner->seq << 32) | (uint32_t)epfd;
}

static void owner_copy(struct epoll_owner *w, const struct proc *p)
{
	w->pid = p->pid;
	w->seq = p->seq;
	w->start_ns = p->start_ns;
	memcpy(w->comm, p->comm, sizeof(w->comm));
}

struct epoll_set *epoll_tl__find_set(const struct epoll_tl *tl, const struct proc *owner,
				     int32_t epfd)
{
	return hmap_get(&tl->sets_by_key, set_key(owner, epfd));
}

static struct epoll_set *get_set(struct epoll_tl *tl, const struct proc *owner, int32_t epfd)
{
	struct set_priv *sp = hmap_get(&tl->sets_by_key, set_key(owner, epfd));

	if (sp)
		return &sp->pub;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->pub.owner = owner;
	owner_copy(&sp->pub.who, owner);
	sp->pub.epfd = epfd;
	hmap_init(&sp->by_fd);
	hmap_init(&sp->by_data);
	sp->next_of_owner = hmap_get(&tl->sets_by_owner, owner->seq);
	if (hmap_put(&tl->sets_by_key, set_key(owner, epfd), sp) ||
	    ptr_push((void ***)&tl->sets, &tl->nsets, &tl->cap_sets, sp) ||
	    hmap_put(&tl->sets_by_owner, owner->seq, sp)) {
		hmap_del(&tl->sets_by_key, set_key(owner, epfd));
		if (tl->nsets && tl->sets[tl->nsets - 1] == &sp->pub)
			tl->nsets--;
		free(sp);
		return NULL;
	}
	return &sp->pub;
}

struct epoll_set *const *epoll_tl__sets(const struct epoll_tl *tl, size_t *n)
{
	*n = tl->nsets;
	return tl->sets;
}

struct poll_use *const *epoll_tl__polls(const struct epoll_tl *tl, size_t *n)
{
	*n = tl->npolls;
	return tl->polls;
}

const struct epoll_ready_fd *epoll_tl__last_ready(const struct epoll_tl *tl, size_t *n)
{
	*n = tl->nlast;
	return tl->last;
}

bool epoll_set_is_busy_polling(const struct epoll_set *s)
{
	return s->zero_timeout_empty >= 100 && s->zero_timeout_empty * 2 > s->waits;
}

/* index + 1 is stored so that index 0 is not a NULL value */
#define IDX_VAL(i) ((void *)(uintptr_t)((i) + 1))
#define VAL_IDX(v) ((size_t)(uintptr_t)(v)-1)

static struct epoll_reg *reg_by(struct set_priv *sp, struct hmap *h, uint64_t key)
{
	void *v = hmap_get(h, key);

	return v ? &sp->pub.regs[VAL_IDX(v)] : NULL;
}

static void reg_retire(struct set_priv *sp, struct epoll_reg *r)
{
	size_t idx = (size_t)(r - sp->pub.regs);
	void *v = hmap_get(&sp->by_data, r->data);

	r->live = false;
	hmap_del(&sp->by_fd, (uint32_t)r->fd);
	if (v && VAL_IDX(v) == idx)
		hmap_del(&sp->by_data, r->data);
}

static int apply_ctl(struct epoll_tl *tl, const struct psc_ev_epoll_ctl *e,
		     const struct proc *owner)
{
	struct epoll_set *s = get_set(tl, owner, e->epfd);
	struct set_priv *sp = (struct set_priv *)s;
	struct epoll_reg *r;
	size_t idx;

	if (!s)
		return -ENOMEM;
	if (e->ret != 0)
		return 0; /* EEXIST, ENOENT, EBADF...: the interest list did not change */
	r = reg_by(sp, &sp->by_fd, (uint32_t)e->fd);
	switch (e->op) {
	case 1: /* EPOLL_CTL_ADD: an old registration of this fd number died with its file */
		if (r)
			reg_retire(sp, r);
		if (s->nregs == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			struct epoll_reg *regs = realloc(s->regs, cap * sizeof(*regs));

			if (!regs)
				return -ENOMEM;
			s->regs = regs;
			s->cap = cap;
		}
		idx = s->nregs++;
		r = &s->regs[idx];
		memset(r, 0, sizeof(*r));
		r->fd = e->fd;
		r->events = e->events;
		r->data = e->data;
		r->target = e->target;
		r->added_ts = e->hdr.ts_ns;
		r->live = true;
		if (hmap_put(&sp->by_fd, (uint32_t)e->fd, IDX_VAL(idx)) ||
		    hmap_put(&sp->by_data, e->data, IDX_VAL(idx)))
			return -ENOMEM;
		break;
	case 2: /* EPOLL_CTL_DEL */
		if (r)
			reg_retire(sp, r);
		break;
	case 3: /* EPOLL_CTL_MOD */
		if (!r)
			break;
		idx = (size_t)(r - s->regs);
		if (r->data != e->data) {
			void *v = hmap_get(&sp->by_data, r->data);

			if (v && VAL_IDX(v) == idx)
				hmap_del(&sp->by_data, r->data);
			if (hmap_put(&sp->by_data, e->data, IDX_VAL(idx)))
				return -ENOMEM;
		}
		r->events = e->events;
		r->data = e->data;
		break;
	default:
		break;
	}
	return 0;
}

static void link_wake(struct epoll_tl *tl, struct model *m, struct epoll_set *s,
		      const struct psc_ev_epoll_wait *e, const struct epoll_reg *r)
{
	struct pending_wake *pw;
	struct wake_link *l;

	if (!r->target.ino || m->nlinks >= MODEL_MAX_LINKS)
		return;
	pw = hmap_get(&tl->pending, r->target.ino);
	if (!pw || pw->ts > e->hdr.ts_ns)
		return;
	l = &m->links[m->nlinks++];
	memset(l, 0, sizeof(*l));
	l->send_ts = pw->ts;
	l->sender_pid = pw->pid;
	l->sender_tid = pw->tid;
	l->sender_start_ns = pw->start_ns;
	l->ino = r->target.ino;
	l->fd = r->fd;
	l->latency_ns = e->hdr.ts_ns - pw->ts;
	s->wakes_linked++;
	s->wake_lat_hist[hist_bucket(l->latency_ns)]++;
	free(hmap_del(&tl->pending, r->target.ino));
}

static int apply_wait(struct epoll_tl *tl, struct model *m, const struct psc_ev_epoll_wait *e,
		      const struct proc *owner)
{
	struct epoll_set *s = get_set(tl, owner, e->epfd);
	struct set_priv *sp = (struct set_priv *)s;
	uint64_t dur = e->hdr.ts_ns > e->enter_ns ? e->hdr.ts_ns - e->enter_ns : 0;
	uint32_t i;

	tl->nlast = 0;
	if (!s)
		return -ENOMEM;
	s->waits++;
	s->wait_ns += dur;
	if (dur > s->max_wait_ns)
		s->max_wait_ns = dur;
	s->hist[hist_bucket(dur)]++;
	if (e->flags & PSC_WAIT_CAPPED)
		s->capped++;
	if (e->ret == 0) {
		s->timeouts++;
		if (e->timeout_ns == 0)
			s->zero_timeout_empty++;
	} else if (e->ret == EINTR_RET) {
		s->eintr++;
	} else if (e->ret < 0) {
		s->errors++;
	} else {
		s->ready_events += (uint64_t)e->ret;
	}
	for (i = 0; i < e->nready && i < PSC_EPOLL_MAX_READY; i++) {
		struct epoll_reg *r = reg_by(sp, &sp->by_data, e->ready[i].data);
		struct epoll_ready_fd *rf = &tl->last[tl->nlast++];

		rf->events = e->ready[i].events;
		rf->reg = r;
		rf->fd = r ? r->fd : -1;
		if (!r) {
			s->unmapped++;
			continue;
		}
		r->ready++;
		r->ready_mask |= e->ready[i].events;
		link_wake(tl, m, s, e, r);
	}
	return 0;
}

static int apply_poll(struct epoll_tl *tl, const struct psc_ev_poll_wait *e,
		      const struct proc *owner)
{
	uint64_t key = ((uint64_t)owner->seq << 8) | (e->kind & 0xff);
	uint64_t dur = e->hdr.ts_ns > e->enter_ns ? e->hdr.ts_ns - e->enter_ns : 0;
	struct poll_use *pu = hmap_get(&tl->polls_by_key, key);

	if (!pu) {
		pu = calloc(1, sizeof(*pu));
		if (!pu)
			return -ENOMEM;
		pu->owner = owner;
		owner_copy(&pu->who, owner);
		pu->kind = e->kind;
		if (hmap_put(&tl->polls_by_key, key, pu) ||
		    ptr_push((void ***)&tl->polls, &tl->npolls, &tl->cap_polls, pu)) {
			hmap_del(&tl->polls_by_key, key);
			free(pu);
			return -ENOMEM;
		}
	}
	pu->calls++;
	pu->nfds_total += e->nfds;
	pu->wait_ns += dur;
	pu->hist[hist_bucket(dur)]++;
	if (e->ret == 0)
		pu->timeouts++;
	else if (e->ret > 0)
		pu->ready += (uint64_t)e->ret;
	return 0;
}

static int note_wake(struct epoll_tl *tl, const struct psc_ev_unix_wake *e)
{
	struct pending_wake *pw;

	if (!e->ino || hmap_get(&tl->pending, e->ino))
		return 0; /* the earliest send since the reader last woke is the one that woke it */
	pw = malloc(sizeof(*pw));
	if (!pw)
		return -ENOMEM;
	pw->ts = e->hdr.ts_ns;
	pw->pid = e->hdr.tgid;
	pw->tid = e->hdr.tid;
	pw->start_ns = e->hdr.start_ns;
	if (hmap_put(&tl->pending, e->ino, pw)) {
		free(pw);
		return -ENOMEM;
	}
	return 0;
}

void epoll_tl__retire(struct epoll_tl *tl, const struct proc *p)
{
	struct set_priv *sp = hmap_del(&tl->sets_by_owner, p->seq);
	size_t i;

	for (; sp; sp = sp->next_of_owner) {
		owner_copy(&sp->pub.who, p); /* the comm may have changed since (exec) */
		sp->pub.owner = NULL;
	}
	/* a process uses few poll kinds: look each one up */
	for (i = PSC_POLL_POLL; i <= PSC_POLL_PSELECT6; i++) {
		struct poll_use *pu = hmap_get(&tl->polls_by_key, ((uint64_t)p->seq << 8) | i);

		if (pu) {
			owner_copy(&pu->who, p);
			pu->owner = NULL;
		}
	}
}

int epoll_tl__apply(struct epoll_tl *tl, struct model *m, const union psc_event *ev,
		    const struct proc *owner)
{
	switch (ev->hdr.type) {
	case PSC_EV_EPOLL_CTL:
	case PSC_EV_EPOLL_SEED: /* a registration made before the trace: an ADD */
		return apply_ctl(tl, &ev->epoll_ctl, owner);
	case PSC_EV_EPOLL_WAIT:
		return apply_wait(tl, m, &ev->epoll_wait, owner);
	case PSC_EV_EPOLL_CREATE:
		if (ev->epoll_create.ret >= 0) {
			struct epoll_set *s = get_set(tl, owner, ev->epoll_create.ret);

			if (!s)
				return -ENOMEM;
			s->created_ts = ev->hdr.ts_ns;
		}
		return 0;
	case PSC_EV_POLL_WAIT:
		return apply_poll(tl, &ev->poll_wait, owner);
	case PSC_EV_UNIX_WAKE:
		return note_wake(tl, &ev->unix_wake);
	case PSC_EV_UNIX_RECV:
		/* read without waking through epoll: a later wake is a new one */
		free(hmap_del(&tl->pending, ev->unix_xfer.ino));
		return 0;
	case PSC_EV_UNIX_CLOSE:
		free(hmap_del(&tl->pending, ev->unix_close.ino));
		return 0;
	default:
		return 0;
	}
}

const char *epoll_events_str(uint32_t events, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ 0x001, "IN" },	   { 0x004, "OUT" },	   { 0x002, "PRI" },
		{ 0x008, "ERR" },	   { 0x010, "HUP" },	   { 0x2000, "RDHUP" },
		{ 1u << 28, "EXCLUSIVE" }, { 1u << 29, "WAKEUP" }, { 1u << 30, "ONESHOT" },
		{ 1u << 31, "ET" },
	};
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && o < size; i++)
		if (events & names[i].bit)
			o += snprintf(buf + o, size - o, "%s%s", o ? "|" : "", names[i].name);
	if (!o)
		snprintf(buf, size, "0x%x", events);
	return buf;
}
