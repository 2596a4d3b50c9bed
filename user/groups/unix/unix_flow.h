/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Unix-socket flows: socket ends by inode, connections paired across connect() and accept() (by
 * sk_id while the server end has no inode yet), socketpairs, datagram flows by sender -> receiver
 * path, bytes, messages and errors each way, and the epoll wake-ups the sends caused. Pure: no
 * I/O, never prints.
 */
#ifndef __PSC_UNIX_FLOW_H
#define __PSC_UNIX_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hist.h"
#include "model.h"

#define UNIX_FLOW_HIST HIST_BUCKETS /* log2 buckets of wake-up latency in ns (as epoll_tl's) */
#define UNIX_FLOW_KEEP_CLOSED 4096 /* closed connections and sockets kept for the summary */

/* One direction of traffic at one end: sends (tx) or receives (rx) */
struct unix_dir {
	uint64_t msgs; /* successful calls: one per datagram, one per read/write on a stream */
	uint64_t bytes;
	uint64_t errors; /* failed calls, EAGAIN included */
	uint64_t eagain; /* EAGAIN/EWOULDBLOCK: nothing to read, or no room to write */
	uint64_t epipe; /* EPIPE, ECONNRESET: the peer is gone */
	uint64_t eof; /* a stream receive returned 0: the peer closed or shut down writing */
	uint64_t peeks; /* MSG_PEEK receives: nothing consumed, not counted in bytes */
	int32_t last_err; /* the last -errno, 0 if none */
	uint32_t __pad;
};

#define UX_END_BOUND (1u << 0)
#define UX_END_LISTENING (1u << 1)
#define UX_END_PAIR (1u << 2) /* one end of a socketpair() */
#define UX_END_ACCEPTED (1u << 3)
#define UX_END_CONNECTED (1u << 4) /* connect() succeeded on it */
#define UX_END_PENDING (1u << 5) /* a server end connect() made, not accepted: no inode yet */
#define UX_END_EARLIER (1u << 6) /* made before the trace: first seen doing something */
#define UX_END_CLOSED (1u << 7) /* its last close() was traced, or the kernel dropped it */
#define UX_END_SHUT_RD (1u << 8)
#define UX_END_SHUT_WR (1u << 9)

struct unix_conn;
struct unix_dgram_flow;

/*
 * A process the model refers to, one record shared by every unix_who that names it (counted).
 * When the process table retires the process (long traces), its pointer is dropped and the copy
 * stands in for it: O(1) however many sockets named it.
 */
struct unix_proc {
	const struct proc *p; /* NULL once retired */
	uint32_t refs;
	uint32_t exited; /* a retired process: it exited at exit_ts */
	uint64_t exit_ts;
	uint64_t start_ns; /* a retired process's start */
	char comm[PSC_COMM_LEN];
};

struct unix_who {
	struct unix_proc *proc; /* NULL: unknown */
	uint32_t pid; /* 0: unknown */
	uint32_t __pad;
	uint64_t start_ns;
};

/* One socket end */
struct unix_end {
	uint64_t ino; /* 0 for a pending server end */
	uint64_t sk_id;
	uint64_t peer_ino; /* the connected peer's inode, when seen */
	uint32_t type; /* PSC_SOCK_* */
	uint32_t flags; /* UX_END_* */
	int32_t fd; /* in the owner, -1 if unknown */
	int32_t bind_err; /* the last failed bind(), -errno */
	struct unix_who owner; /* made it: socket(), socketpair(), accept(), connect() */
	struct unix_who user; /* the last process that sent or received on it */
	struct psc_unix_addr path; /* the bound path (a server end: its listener's) */
	struct psc_unix_addr dest; /* a datagram socket: the address connect() gave it */
	uint64_t created_ts; /* 0 when made before the trace */
	uint64_t closed_ts; /* valid with UX_END_CLOSED */
	struct unix_dir tx;
	struct unix_dir rx;
	uint64_t accepts; /* a listener: connections accepted from it */
	uint64_t wakes; /* sends that made it readable (sk_data_ready on an empty queue) */
	uint64_t fds_sent; /* SCM_RIGHTS fds in its sendmsg() calls */
	uint64_t wakes_linked; /* epoll_wait returns those sends caused */
	uint64_t *wake_hist; /* UNIX_FLOW_HIST buckets of send -> wait return, NULL until one */
	struct unix_conn *conn;
	struct unix_dgram_flow *flows; /* a datagram sender: where its datagrams went */
	size_t nflows;
	size_t cap_flows;
	uint32_t seq; /* creation order */
	bool dead; /* scratch for the retention sweep */
};

enum unix_conn_kind {
	UX_CONN_CONNECT = 1, /* connect() (+ accept()) on a stream or seqpacket socket */
	UX_CONN_PAIR = 2, /* socketpair() */
	UX_CONN_EARLIER = 3, /* connected before the trace: paired by the inodes seen in I/O */
};

/* A connection: client = the connect()ing end (socketpair: fd[0]), server = the other */
struct unix_conn {
	uint64_t id; /* 1, 2, ... in the order they were seen */
	uint32_t kind; /* UX_CONN_* */
	uint32_t type; /* PSC_SOCK_* */
	int32_t result; /* connect()'s return: 0, or -errno for a failed connect */
	uint32_t listener_pid; /* SO_PEERCRED at connect: who called listen() (0: unknown) */
	uint32_t client_pid; /* SO_PEERCRED at accept: who called connect() (0: unknown) */
	uint32_t __pad;
	struct unix_end *client; /* never NULL */
	struct unix_end *server; /* NULL for a failed connect */
	struct psc_unix_addr path; /* the path connected to */
	uint64_t connect_ts; /* connect() or socketpair() return; 0 when before the trace */
	uint64_t accept_ts; /* 0 until accepted */
	uint64_t closed_ts; /* the first close of either end, 0 while open */
	bool dead; /* scratch for the retention sweep */
};

/* Datagrams from one sender to one destination */
struct unix_dgram_flow {
	struct psc_unix_addr dest; /* the path sent to (empty: connected, path unknown) */
	uint64_t dest_ino; /* the socket they were queued on, 0 if unknown (a failed send) */
	struct unix_who receiver; /* the process using that socket, if known */
	uint64_t msgs;
	uint64_t bytes;
	uint64_t errors;
	uint64_t fds; /* SCM_RIGHTS fds passed along */
	int32_t last_err;
	uint32_t __pad;
	uint64_t first_ts;
	uint64_t last_ts;
};

struct unix_flow_stats {
	uint64_t sockets; /* ends made by socket() and socketpair() */
	uint64_t pairs;
	uint64_t binds;
	uint64_t bind_failed;
	uint64_t listens;
	uint64_t connects; /* successful, every type */
	uint64_t connect_failed;
	uint64_t accepts;
	uint64_t accept_failed;
	uint64_t sends;
	uint64_t recvs;
	uint64_t bytes_sent;
	uint64_t bytes_received;
	uint64_t send_errors;
	uint64_t recv_errors;
	uint64_t fds_passed;
	uint64_t shutdowns;
	uint64_t closes;
	uint64_t wakes;
	uint64_t wakes_linked;
	uint64_t earlier_ends; /* sockets made before the trace */
	uint64_t never_accepted; /* connections whose listener closed before accept() */
	uint64_t retired_conns; /* closed connections dropped from the tables (kept: the newest) */
	uint64_t retired_ends;
	uint64_t retired_bytes; /* bytes those carried */
};

/* What the event just applied was about (valid until the next apply) */
struct unix_touch {
	struct unix_end *end; /* the end the event names, NULL if none */
	struct unix_end *peer; /* the other end, if known */
	struct unix_conn *conn;
	struct unix_dgram_flow *flow;
	bool new_conn; /* the event made conn */
};

struct unix_flow;

extern const struct model_group_ops unix_group_ops;

/* Returns NULL with errno set */
struct unix_flow *unix_flow_new(void);
void unix_flow_free(struct unix_flow *uf);
/* Apply one event (every non-proc event comes here). Returns 0 or -ENOMEM. */
int unix_flow_apply(struct unix_flow *uf, struct model *m, const union psc_event *ev,
		    const struct proc *owner);
/*
 * Attribute the wake links of the event just applied (m->links: an epoll_wait woken by unix
 * sends) to their sockets' wake-latency histograms. Runs after unix_flow_apply() of the same
 * event. Returns 0 or -ENOMEM.
 */
int unix_flow_wake_links(struct unix_flow *uf, const struct model *m);
/* How many closed connections and sockets to keep listed (default UNIX_FLOW_KEEP_CLOSED) */
void unix_flow_set_keep_closed(struct unix_flow *uf, size_t keep);

/* Every end and connection kept, in creation order */
struct unix_end *const *unix_flow_ends(const struct unix_flow *uf, size_t *n);
struct unix_conn *const *unix_flow_conns(const struct unix_flow *uf, size_t *n);
/* A live end by inode or by sk_id, NULL if none */
struct unix_end *unix_flow_find_ino(const struct unix_flow *uf, uint64_t ino);
struct unix_end *unix_flow_find_sk(const struct unix_flow *uf, uint64_t sk_id);
/* The live end bound to @a, NULL if none */
struct unix_end *unix_flow_find_path(const struct unix_flow *uf, const struct psc_unix_addr *a);
const struct unix_flow_stats *unix_flow_stats(const struct unix_flow *uf);
const struct unix_touch *unix_flow_touched(const struct unix_flow *uf);

/* @p leaves the process table: the model keeps copies of what it knew of it */
void unix_flow_retire(struct unix_flow *uf, const struct proc *p);

/* The other end of @e's connection (or the end with its peer inode), NULL if unknown */
const struct unix_end *unix_end_peer(const struct unix_flow *uf, const struct unix_end *e);
/* The process that used @e last, else the one that made it; NULL if unknown */
const struct unix_who *unix_end_proc(const struct unix_end *e);
/* pid, comm and exit time (0 while alive) of @w */
static inline uint32_t unix_who_pid(const struct unix_who *w)
{
	return w ? w->pid : 0;
}
const char *unix_who_comm(const struct unix_who *w);
/*
 * @w's start: the process's as the model knows it now (a start read from /proc, to a clock
 * tick, becomes exact with the first record that names the process), else as it was named
 */
uint64_t unix_who_start(const struct unix_who *w);
/* Known by its pid alone (SO_PEERCRED of the untraced peer of a -p trace): no event named it */
bool unix_who_untraced(const struct unix_who *w);
uint64_t unix_who_exit_ts(const struct unix_who *w);
/*
 * When @e closed: its traced close, else the exit of the process(es) holding it (*inferred is
 * set then); 0 while open.
 */
uint64_t unix_end_closed_ts(const struct unix_end *e, bool *inferred);
/* "open", "failed", "pending" (not accepted), "not accepted" (listener gone), "closed" */
const char *unix_conn_state(const struct unix_conn *c);
/* When the connection ended: closed_ts, or inferred from the ends; 0 while open */
uint64_t unix_conn_closed_ts(const struct unix_conn *c, bool *inferred);

/*
 * The bytes of an address as the kernel uses them: a filesystem path up to its first NUL, an
 * abstract name (leading NUL) in full. Returns the length; *abstract says which.
 */
size_t unix_addr_view(const struct psc_unix_addr *a, const char **bytes, bool *abstract);
bool unix_addr_equal(const struct psc_unix_addr *a, const struct psc_unix_addr *b);
/* For a terminal: "@name" for an abstract name, every byte escaped (term_escape); "" if none */
const char *unix_addr_str(const struct psc_unix_addr *a, char *buf, size_t size);
#define UNIX_ADDR_STR_LEN (PSC_UNIX_PATH_LEN * 4 + 2)

struct jw;
/*
 * (unix_print.c) "<key>": the path ("@name" for an abstract one), "<key>_abstract", and an
 * exact "<key>_hex" when the string cannot carry the bytes (invalid UTF-8, a NUL inside).
 */
void unix_json_addr(struct jw *w, const char *key, const struct psc_unix_addr *a);

/* "stream", "dgram", "seqpacket", or "type N" */
const char *unix_type_name(uint32_t type, char *buf, size_t size);

/* How the group draws on the timelines (its _timeline.c; struct timeline_ops in timeline.h) */
struct timeline_ops;
extern const struct timeline_ops unix_timeline_ops;

#endif /* __PSC_UNIX_FLOW_H */
