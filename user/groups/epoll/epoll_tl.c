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
	size_t idx; /* in tl->sets */
};

struct poll_priv {
	struct poll_use pub;
	size_t idx; /* in tl->polls */
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
	struct hmap watched; /* ino -> live registrations of it + 1: whose wakes may matter */
	struct hmap sets_by_owner; /* proc seq -> first set_priv of that process */
	/* rows of retired processes, busiest kept (EPOLL_TL_KEEP_RETIRED), the rest folded */
	struct set_priv **old_sets;
	size_t nold_sets;
	size_t cap_old_sets;
	struct poll_priv **old_polls;
	size_t nold_polls;
	size_t cap_old_polls;
	struct epoll_folded folded;
	uint64_t next_seq;
	struct epoll_ready_fd last[PSC_EPOLL_MAX_READY];
	size_t nlast;
};

struct epoll_tl *epoll_tl_new(void)
{
	struct epoll_tl *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	hmap_init(&tl->sets_by_key);
	hmap_init(&tl->polls_by_key);
	hmap_init(&tl->pending);
	hmap_init(&tl->watched);
	hmap_init(&tl->sets_by_owner);
	return tl;
}

void epoll_tl_free(struct epoll_tl *tl)
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
	hmap_free(&tl->watched);
	hmap_free(&tl->sets_by_owner);
	free(tl->sets);
	free(tl->polls);
	free(tl->old_sets);
	free(tl->old_polls);
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

struct epoll_set *epoll_tl_find_set(const struct epoll_tl *tl, const struct proc *owner,
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
	sp->pub.seq = tl->next_seq++;
	sp->idx = tl->nsets;
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

struct epoll_set *const *epoll_tl_sets(const struct epoll_tl *tl, size_t *n)
{
	*n = tl->nsets;
	return tl->sets;
}

struct poll_use *const *epoll_tl_polls(const struct epoll_tl *tl, size_t *n)
{
	*n = tl->npolls;
	return tl->polls;
}

const struct epoll_ready_fd *epoll_tl_last_ready(const struct epoll_tl *tl, size_t *n)
{
	*n = tl->nlast;
	return tl->last;
}

const struct epoll_folded *epoll_tl_folded(const struct epoll_tl *tl)
{
	return &tl->folded;
}

size_t epoll_tl_pending(const struct epoll_tl *tl)
{
	return tl->pending.live;
}

/* Busiest first; ties in creation order, so live and report rank alike */
static int cmp_set_rank(const void *a, const void *b)
{
	const struct epoll_set *x = *(struct epoll_set *const *)a;
	const struct epoll_set *y = *(struct epoll_set *const *)b;

	if (x->waits != y->waits)
		return x->waits < y->waits ? 1 : -1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_poll_rank(const void *a, const void *b)
{
	const struct poll_use *x = *(struct poll_use *const *)a;
	const struct poll_use *y = *(struct poll_use *const *)b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct epoll_set **epoll_tl_ranked_sets(const struct epoll_tl *tl, size_t *n)
{
	struct epoll_set **out = malloc((tl->nsets + 1) * sizeof(*out));
	size_t i, k = 0;

	*n = 0;
	if (!out)
		return NULL;
	for (i = 0; i < tl->nsets; i++)
		if (tl->sets[i]->waits || tl->sets[i]->nregs)
			out[k++] = tl->sets[i];
	qsort(out, k, sizeof(*out), cmp_set_rank);
	*n = k;
	return out;
}

struct poll_use **epoll_tl_ranked_polls(const struct epoll_tl *tl, size_t *n)
{
	struct poll_use **out = malloc((tl->npolls + 1) * sizeof(*out));

	*n = 0;
	if (!out)
		return NULL;
	if (tl->npolls)
		memcpy(out, tl->polls, tl->npolls * sizeof(*out));
	qsort(out, tl->npolls, sizeof(*out), cmp_poll_rank);
	*n = tl->npolls;
	return out;
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

#define REFS_VAL(n) ((void *)(uintptr_t)((n) + 1))
#define VAL_REFS(v) ((size_t)(uintptr_t)(v)-1)

/* A socket registered in a live set: its wakes are worth keeping until a wait returns */
static int watch(struct epoll_tl *tl, uint64_t ino)
{
	void *v;

	if (!ino)
		return 0;
	v = hmap_get(&tl->watched, ino);
	return hmap_put(&tl->watched, ino, REFS_VAL(v ? VAL_REFS(v) + 1 : 1));
}

static void unwatch(struct epoll_tl *tl, uint64_t ino)
{
	void *v = ino ? hmap_get(&tl->watched, ino) : NULL;

	if (!v)
		return;
	if (VAL_REFS(v) > 1) {
		hmap_put(&tl->watched, ino,
			 REFS_VAL(VAL_REFS(v) - 1)); /* same key: no allocation */
		return;
	}
	/* no set waits for it any more: a pending wake would never be consumed */
	hmap_del(&tl->watched, ino);
	free(hmap_del(&tl->pending, ino));
}

static void reg_retire(struct epoll_tl *tl, struct set_priv *sp, struct epoll_reg *r)
{
	size_t idx = (size_t)(r - sp->pub.regs);
	void *v = hmap_get(&sp->by_data, r->data);

	if (r->live)
		unwatch(tl, r->target.ino);
	r->live = false;
	hmap_del(&sp->by_fd, (uint32_t)r->fd);
	if (v && VAL_IDX(v) == idx)
		hmap_del(&sp->by_data, r->data);
}

/*
 * Event loops (redis's ae, for one) switch interest by DEL and ADD of the same fd, thousands of
 * times a second: a registration ADDed again as it was (same fd, file, interest and data) is
 * the one DELeted a moment ago, revived, so that the interest list stays the size of what was
 * registered, not of how often. Only the last few are looked at: the cost stays constant.
 */
#define REVIVE_LOOKBACK 32

static struct epoll_reg *reg_revivable(struct epoll_set *s, const struct psc_ev_epoll_ctl *e)
{
	size_t i, stop = s->nregs > REVIVE_LOOKBACK ? s->nregs - REVIVE_LOOKBACK : 0;

	for (i = s->nregs; i-- > stop;) {
		struct epoll_reg *r = &s->regs[i];

		if (!r->live && r->fd == e->fd && r->events == e->events && r->data == e->data &&
		    r->target.ino == e->target.ino && r->target.kind == e->target.kind)
			return r;
	}
	return NULL;
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
			reg_retire(tl, sp, r);
		r = reg_revivable(s, e);
		if (r) {
			idx = (size_t)(r - s->regs);
			r->live = true;
			if (hmap_put(&sp->by_fd, (uint32_t)e->fd, IDX_VAL(idx)) ||
			    hmap_put(&sp->by_data, e->data, IDX_VAL(idx)) ||
			    watch(tl, r->target.ino))
				return -ENOMEM;
			break;
		}
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
		    hmap_put(&sp->by_data, e->data, IDX_VAL(idx)) || watch(tl, r->target.ino))
			return -ENOMEM;
		break;
	case 2: /* EPOLL_CTL_DEL */
		if (r)
			reg_retire(tl, sp, r);
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
	uint64_t dur = epoll_wait_duration(e->hdr.ts_ns, e->enter_ns, e->flags);
	uint32_t i;

	tl->nlast = 0;
	if (!s)
		return -ENOMEM;
	s->waits++;
	if (e->flags & PSC_WAIT_EARLY) {
		s->early++; /* began before the trace: how long it blocked is unknown */
	} else {
		s->wait_ns += dur;
		if (dur > s->max_wait_ns)
			s->max_wait_ns = dur;
		s->hist[hist_bucket(dur)]++;
	}
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
	uint64_t dur = epoll_wait_duration(e->hdr.ts_ns, e->enter_ns, e->flags);
	struct poll_use *pu = hmap_get(&tl->polls_by_key, key);

	if (!pu) {
		struct poll_priv *pp = calloc(1, sizeof(*pp));

		if (!pp)
			return -ENOMEM;
		pu = &pp->pub;
		pu->owner = owner;
		owner_copy(&pu->who, owner);
		pu->kind = e->kind;
		pu->seq = tl->next_seq++;
		pp->idx = tl->npolls;
		if (hmap_put(&tl->polls_by_key, key, pu) ||
		    ptr_push((void ***)&tl->polls, &tl->npolls, &tl->cap_polls, pu)) {
			hmap_del(&tl->polls_by_key, key);
			free(pp);
			return -ENOMEM;
		}
	}
	pu->calls++;
	pu->nfds_total += e->nfds;
	if (e->flags & PSC_WAIT_EARLY) {
		pu->early++;
	} else {
		pu->wait_ns += dur;
		pu->hist[hist_bucket(dur)]++;
	}
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
	if (!hmap_get(&tl->watched, e->ino))
		return 0; /* no epoll set waits for this socket: no wait can consume the wake */
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

/* Drop @sp from the sets (swap with the last one: the order is kept by seq) and free it */
static void set_free(struct epoll_tl *tl, struct set_priv *sp)
{
	struct set_priv *last = (struct set_priv *)tl->sets[--tl->nsets];

	tl->sets[sp->idx] = &last->pub;
	last->idx = sp->idx;
	hmap_free(&sp->by_fd);
	hmap_free(&sp->by_data);
	free(sp->pub.regs);
	free(sp);
}

static void poll_free(struct epoll_tl *tl, struct poll_priv *pp)
{
	struct poll_priv *last = (struct poll_priv *)tl->polls[--tl->npolls];

	tl->polls[pp->idx] = &last->pub;
	last->idx = pp->idx;
	free(pp);
}

static void fold_set(struct epoll_folded *f, const struct epoll_set *s)
{
	unsigned int b;

	f->sets += s->waits || s->nregs;
	f->waits += s->waits;
	f->timeouts += s->timeouts;
	f->ready_events += s->ready_events;
	f->early += s->early;
	f->wait_ns += s->wait_ns;
	f->wakes_linked += s->wakes_linked;
	for (b = 0; b < EPOLL_TL_HIST; b++) {
		f->hist[b] += s->hist[b];
		f->wake_lat_hist[b] += s->wake_lat_hist[b];
	}
}

static void fold_poll(struct epoll_folded *f, const struct poll_use *pu)
{
	unsigned int b;

	f->polls++;
	f->poll_calls += pu->calls;
	f->poll_timeouts += pu->timeouts;
	f->poll_ready += pu->ready;
	f->poll_nfds += pu->nfds_total;
	f->poll_early += pu->early;
	f->poll_wait_ns += pu->wait_ns;
	for (b = 0; b < EPOLL_TL_HIST; b++)
		f->poll_hist[b] += pu->hist[b];
}

/*
 * Keep the EPOLL_TL_KEEP_RETIRED busiest rows of retired processes, fold the others. Runs when
 * twice as many have gathered: a sort of 2K rows every K retirements, O(log K) each.
 */
static void trim_old(struct epoll_tl *tl)
{
	size_t i;

	if (tl->nold_sets > 2 * EPOLL_TL_KEEP_RETIRED) {
		qsort(tl->old_sets, tl->nold_sets, sizeof(*tl->old_sets), cmp_set_rank);
		for (i = EPOLL_TL_KEEP_RETIRED; i < tl->nold_sets; i++) {
			fold_set(&tl->folded, &tl->old_sets[i]->pub);
			set_free(tl, tl->old_sets[i]);
		}
		tl->nold_sets = EPOLL_TL_KEEP_RETIRED;
	}
	if (tl->nold_polls > 2 * EPOLL_TL_KEEP_RETIRED) {
		qsort(tl->old_polls, tl->nold_polls, sizeof(*tl->old_polls), cmp_poll_rank);
		for (i = EPOLL_TL_KEEP_RETIRED; i < tl->nold_polls; i++) {
			fold_poll(&tl->folded, &tl->old_polls[i]->pub);
			poll_free(tl, tl->old_polls[i]);
		}
		tl->nold_polls = EPOLL_TL_KEEP_RETIRED;
	}
}

void epoll_tl_retire(struct epoll_tl *tl, const struct proc *p)
{
	struct set_priv *sp = hmap_del(&tl->sets_by_owner, p->seq), *next;
	size_t i, r;

	for (; sp; sp = next) {
		next = sp->next_of_owner;
		owner_copy(&sp->pub.who, p); /* the comm may have changed since (exec) */
		sp->pub.owner = NULL;
		sp->next_of_owner = NULL;
		/* no event names this set again: only what the summary shows stays */
		hmap_del(&tl->sets_by_key, ((uint64_t)p->seq << 32) | (uint32_t)sp->pub.epfd);
		for (r = 0; r < sp->pub.nregs; r++)
			if (sp->pub.regs[r].live)
				unwatch(tl, sp->pub.regs[r].target.ino);
		hmap_free(&sp->by_fd);
		hmap_free(&sp->by_data);
		if (ptr_push((void ***)&tl->old_sets, &tl->nold_sets, &tl->cap_old_sets, sp)) {
			fold_set(&tl->folded, &sp->pub); /* no room to rank it: fold it now */
			set_free(tl, sp);
		}
	}
	/* a process uses few poll kinds: look each one up */
	for (i = PSC_POLL_POLL; i <= PSC_POLL_PSELECT6; i++) {
		struct poll_priv *pp = hmap_del(&tl->polls_by_key, ((uint64_t)p->seq << 8) | i);

		if (!pp)
			continue;
		owner_copy(&pp->pub.who, p);
		pp->pub.owner = NULL;
		if (ptr_push((void ***)&tl->old_polls, &tl->nold_polls, &tl->cap_old_polls, pp)) {
			fold_poll(&tl->folded, &pp->pub);
			poll_free(tl, pp);
		}
	}
	trim_old(tl);
}

int epoll_tl_apply(struct epoll_tl *tl, struct model *m, const union psc_event *ev,
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
	case PSC_EV_UNIX_ACCEPT:
		/* taking the connection consumes the listener's readiness, seen by a wait or not */
		if (ev->unix_accept.ret >= 0)
			free(hmap_del(&tl->pending, ev->unix_accept.listen_ino));
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
