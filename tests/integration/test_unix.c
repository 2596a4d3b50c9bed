// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF: the unix demos under `procscope demo -o LOG --truth TRUTH`, compared with what the
 * workloads recorded themselves: every socket's inode (fstat), the bound paths, each connection's
 * two ends (connect and accept paired, one connection id), the bytes and calls of every end, the
 * datagrams by destination, the errno of the connects and sends that failed, the fd passed, and
 * the wake-ups a send caused in the peer's epoll_wait. Also -e: the group switches on and off.
 */
#include "integ.h"

struct ux_run {
	char dir[64];
	char log_path[128];
	char truth_path[128];
	struct integ_log log;
	struct integ_log truth;
};

static void ux_run_argv(struct ux_run *r, char *const argv[])
{
	char out[160], err[160];
	int status;

	snprintf(out, sizeof(out), "%s/stdout", r->dir);
	snprintf(err, sizeof(err), "%s/stderr", r->dir);
	status = integ_run(argv, out, err);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char *e = integ_slurp(err, NULL);

		fprintf(stderr, "procscope failed (status 0x%x): %s\n", status, e);
		free(e);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	integ_load(r->log_path, &r->log);
	assert_int_equal(r->log.bad_lines, 0);
	assert_true(r->log.n >= 2);
	assert_true(integ_is(r->log.recs[r->log.n - 1], "type", "trailer"));
	assert_int_equal(integ_i64(r->log.recs[r->log.n - 1], "lost"), 0);
}

static void ux_paths(struct ux_run *r)
{
	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->log_path, sizeof(r->log_path), "%s/log.jsonl", r->dir);
	snprintf(r->truth_path, sizeof(r->truth_path), "%s/truth.jsonl", r->dir);
}

static void run_demo(struct ux_run *r, const char *name)
{
	char *argv[] = {
		(char *)integ_procscope(), (char *)"demo", (char *)"-q", (char *)"-o", r->log_path,
		(char *)"--truth",	   r->truth_path,  (char *)name, NULL
	};

	ux_paths(r);
	ux_run_argv(r, argv);
	integ_load(r->truth_path, &r->truth);
	assert_int_equal(r->truth.bad_lines, 0);
	assert_non_null(integ_find(&r->truth, "kind", "done", NULL));
}

static void free_run(struct ux_run *r)
{
	integ_free(&r->log);
	integ_free(&r->truth);
	integ_rmtree(r->dir);
}

/* An unsigned 64-bit field exactly (sk_id): json-c's int64 getter would clamp it */
static uint64_t u64_of(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_uint64(v);
}

static bool str_is(json_object *o, const char *key, const char *want)
{
	const char *s = integ_str(o, key);

	return s && want && !strcmp(s, want);
}

/*
 * Sum of the traced sends (@send) or receives of end @ino by @pid: bytes of the successful calls,
 * and how many there were (an EOF is a receive of 0; MSG_PEEK reads nothing).
 */
static void traced_io(const struct integ_log *log, bool send, int64_t pid, int64_t ino,
		      int64_t *bytes, int64_t *calls)
{
	size_t i;

	*bytes = *calls = 0;
	for (i = 0; i < log->n; i++) {
		json_object *e = log->recs[i];
		int64_t ret;

		if (send ? !integ_is(e, "type", "unix_send") &&
				    !integ_is(e, "type", "unix_sendmsg") :
			   !integ_is(e, "type", "unix_recv"))
			continue;
		if (integ_i64(e, "pid") != pid || integ_i64(e, "ino") != ino)
			continue;
		ret = integ_i64(e, "ret");
		if (ret < 0 || (integ_i64(e, "msg_flags") & 0x2))
			continue;
		*bytes += ret;
		(*calls)++;
	}
}

/* Every end's bytes and calls, each way, as the workload counted them */
static void check_io(const struct ux_run *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->truth.n; i++) {
		json_object *t = r->truth.recs[i];
		int64_t bytes, calls;

		if (!integ_is(t, "kind", "unix_io"))
			continue;
		n++;
		traced_io(&r->log, true, integ_i64(t, "pid"), integ_i64(t, "ino"), &bytes, &calls);
		if (bytes != integ_i64(t, "sent") || calls != integ_i64(t, "writes"))
			integ_dump("sends differ", t), fprintf(stderr, "traced %lld B in %lld\n",
							       (long long)bytes, (long long)calls);
		assert_int_equal(bytes, integ_i64(t, "sent"));
		assert_int_equal(calls, integ_i64(t, "writes"));
		traced_io(&r->log, false, integ_i64(t, "pid"), integ_i64(t, "ino"), &bytes, &calls);
		if (bytes != integ_i64(t, "received") || calls != integ_i64(t, "reads"))
			integ_dump("receives differ", t),
				fprintf(stderr, "traced %lld B in %lld\n", (long long)bytes,
					(long long)calls);
		assert_int_equal(bytes, integ_i64(t, "received"));
		assert_int_equal(calls, integ_i64(t, "reads"));
	}
	assert_true(n >= 2);
}

/* Each socket the workload made: its socket()/accept() in the trace, its inode, its bound path */
static void check_sockets(const struct ux_run *r)
{
	size_t i;

	for (i = 0; i < r->truth.n; i++) {
		json_object *t = r->truth.recs[i], *e;
		int64_t pid = integ_i64(t, "pid"), ino = integ_i64(t, "ino");
		const char *path = integ_str(t, "path");

		if (!integ_is(t, "kind", "unix_socket"))
			continue;
		e = integ_find(&r->log, "type", "unix_socket", "pid", pid, "ino", ino, "fd",
			       integ_i64(t, "fd"), "ret", integ_i64(t, "fd"), NULL);
		if (!e)
			integ_dump("socket() not traced", t);
		assert_non_null(e);
		assert_true(str_is(e, "sock_type_name", integ_str(t, "type")));
		if (!path || !path[0])
			continue;
		e = integ_find(&r->log, "type", "unix_bind", "pid", pid, "ino", ino, "ret",
			       INTEG_I(0), NULL);
		if (!e || !str_is(e, "path", path))
			integ_dump("bind() not traced with its path", t), integ_dump("traced", e);
		assert_non_null(e);
		assert_true(str_is(e, "path", path));
		assert_int_equal(integ_bool(e, "path_abstract"), path[0] == '@');
		if (!integ_is(t, "role", "listener"))
			continue;
		e = integ_find(&r->log, "type", "unix_listen", "pid", pid, "ino", ino, "ret",
			       INTEG_I(0), NULL);
		assert_non_null(e);
		assert_true(str_is(e, "path", path));
		/* the last close of the listener is seen */
		assert_non_null(
			integ_find(&r->log, "type", "unix_close", "pid", pid, "ino", ino, NULL));
	}
}

/*
 * Each connection: the client's connect() and the server's accept() name each other (inodes,
 * sk_ids), carry one connection id, and the sends that woke the other side name the right end.
 */
static size_t check_conns(const struct ux_run *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->truth.n; i++) {
		json_object *t = r->truth.recs[i], *s, *c, *a;
		int64_t k = integ_i64(t, "conn");

		if (!integ_is(t, "kind", "unix_conn") || !integ_is(t, "role", "client"))
			continue;
		n++;
		s = NULL;
		for (size_t j = 0; j < r->truth.n && !s; j++)
			if (integ_is(r->truth.recs[j], "kind", "unix_conn") &&
			    integ_is(r->truth.recs[j], "role", "server") &&
			    integ_i64(r->truth.recs[j], "conn") == k)
				s = r->truth.recs[j];
		assert_non_null(s);
		c = integ_find(&r->log, "type", "unix_connect", "pid", integ_i64(t, "pid"), "ino",
			       integ_i64(t, "ino"), "ret", INTEG_I(0), NULL);
		a = integ_find(&r->log, "type", "unix_accept", "pid", integ_i64(s, "pid"), "ino",
			       integ_i64(s, "ino"), "ret", integ_i64(s, "fd"), NULL);
		if (!c || !a)
			integ_dump("client", t), integ_dump("server", s), integ_dump("connect", c),
				integ_dump("accept", a);
		assert_non_null(c);
		assert_non_null(a);
		assert_true(str_is(c, "path", integ_str(t, "path")));
		assert_true(str_is(a, "path", integ_str(s, "path")));
		assert_int_equal(integ_i64(a, "peer_ino"), integ_i64(t, "ino"));
		assert_int_equal(integ_i64(a, "peer_pid"), integ_i64(t, "pid"));
		/* the server end connect() made is the one accept() handed out */
		assert_true(u64_of(c, "peer_sk_id") == u64_of(a, "sk_id"));
		assert_true(u64_of(a, "peer_sk_id") == u64_of(c, "sk_id"));
		assert_true(u64_of(c, "sk_id") != 0 && u64_of(a, "sk_id") != 0);
		/* the model paired them: one connection id, and each names the other process */
		assert_int_equal(integ_i64(c, "conn"), integ_i64(a, "conn"));
		assert_int_equal(integ_i64(a, "peer_pid"), integ_i64(t, "pid"));
		assert_int_equal(integ_i64(c, "peer_pid"), integ_i64(s, "pid"));
		/* the client's sends make the server end readable, in the client's context */
		assert_non_null(integ_find(&r->log, "type", "unix_wake", "pid", integ_i64(t, "pid"),
					   "ino", integ_i64(s, "ino"), "peer_ino",
					   integ_i64(t, "ino"), NULL));
		/* both ends' last close is traced */
		assert_non_null(integ_find(&r->log, "type", "unix_close", "pid",
					   integ_i64(t, "pid"), "ino", integ_i64(t, "ino"), NULL));
		assert_non_null(integ_find(&r->log, "type", "unix_close", "pid",
					   integ_i64(s, "pid"), "ino", integ_i64(s, "ino"), NULL));
	}
	return n;
}

/* Each failure the workload saw: the same errno, on the same socket, for the same path */
static size_t check_errors(const struct ux_run *r, const char *type)
{
	size_t i, n = 0;

	for (i = 0; i < r->truth.n; i++) {
		json_object *t = r->truth.recs[i], *e;
		char name[32];

		if (!integ_is(t, "kind", "unix_error"))
			continue;
		n++;
		e = integ_find(&r->log, "type", type, "pid", integ_i64(t, "pid"), "ino",
			       integ_i64(t, "ino"), "ret", -integ_i64(t, "errno"), NULL);
		if (!e || !str_is(e, "path", integ_str(t, "path")))
			integ_dump("failure not traced", t), integ_dump("traced", e);
		assert_non_null(e);
		assert_true(str_is(e, "path", integ_str(t, "path")));
		snprintf(name, sizeof(name), "%s",
			 integ_i64(t, "errno") == ENOENT ? "ENOENT" : "ECONNREFUSED");
		assert_true(str_is(e, "error", name));
	}
	return n;
}

/* Wake-ups traced sends caused in epoll_waits of @waiter on any of @inos, by one of @senders */
static size_t wake_links(const struct ux_run *r, int64_t waiter, const int64_t *inos, size_t ni,
			 const int64_t *senders, size_t ns)
{
	size_t i, k, a, b, n = 0;

	for (i = 0; i < r->log.n; i++) {
		json_object *e = r->log.recs[i], *links;

		if (!integ_is(e, "type", "epoll_wait") || integ_i64(e, "pid") != waiter ||
		    !json_object_object_get_ex(e, "woken_by", &links))
			continue;
		for (k = 0; k < json_object_array_length(links); k++) {
			json_object *l = json_object_array_get_idx(links, k);
			bool ino_ok = false, pid_ok = false;

			for (a = 0; a < ni; a++)
				ino_ok |= integ_i64(l, "ino") == inos[a];
			for (b = 0; b < ns; b++)
				pid_ok |= integ_i64(l, "pid") == senders[b];
			assert_true(integ_i64(l, "latency_ns") >= 0);
			n += ino_ok && pid_ok;
		}
	}
	return n;
}

/* The pids and inodes of the truth's records of @kind and @role (NULL: any role) */
static size_t collect(const struct ux_run *r, const char *kind, const char *role, const char *key,
		      int64_t *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->truth.n && n < max; i++)
		if (integ_is(r->truth.recs[i], "kind", kind) &&
		    (!role || integ_is(r->truth.recs[i], "role", role)))
			out[n++] = integ_i64(r->truth.recs[i], key);
	return n;
}

static void check_stream_demo(const struct ux_run *r, size_t want_conns)
{
	int64_t srv_inos[8], clients[8], srv[2];
	size_t ns, nc, nl;

	check_sockets(r);
	assert_int_equal(check_conns(r), want_conns);
	check_io(r);
	/* the server's epoll_waits were woken by the clients' sends, on the server's sockets */
	ns = collect(r, "unix_conn", "server", "ino", srv_inos, 6);
	nl = collect(r, "unix_socket", "listener", "ino", srv_inos + ns, 2);
	nc = collect(r, "unix_conn", "client", "pid", clients, 8);
	assert_int_equal(collect(r, "unix_socket", "listener", "pid", srv, 2), 1);
	assert_true(wake_links(r, srv[0], srv_inos, ns + nl, clients, nc) >= 1);
}

static void test_unix__stream_demo(void **state)
{
	struct ux_run r = { 0 };

	run_demo(&r, "unix-stream");
	check_stream_demo(&r, 3);
	/* a path with no socket file: ENOENT; a file whose socket does not listen: ECONNREFUSED */
	assert_int_equal(check_errors(&r, "unix_connect"), 2);
	assert_non_null(integ_find(&r.truth, "kind", "unix_error", "errno", INTEG_I(ENOENT), NULL));
	free_run(&r);
}

static void test_unix__abstract_demo(void **state)
{
	struct ux_run r = { 0 };
	json_object *t;

	run_demo(&r, "unix-abstract");
	check_stream_demo(&r, 1);
	/* the autobound client (check_sockets compared its bind with the kernel's name) */
	t = NULL;
	for (size_t i = 0; i < r.truth.n; i++)
		if (integ_is(r.truth.recs[i], "kind", "unix_socket") &&
		    integ_is(r.truth.recs[i], "role", "client"))
			t = r.truth.recs[i];
	assert_non_null(t);
	assert_int_equal(integ_str(t, "path")[0], '@');
	assert_true(strlen(integ_str(t, "path")) > 1);
	free_run(&r);
}

static void test_unix__dgram_demo(void **state)
{
	struct ux_run r = { 0 };
	size_t i, flows = 0;

	run_demo(&r, "unix-dgram");
	check_sockets(&r);
	check_io(&r);
	assert_int_equal(check_errors(&r, "unix_sendmsg"), 1);
	for (i = 0; i < r.truth.n; i++) {
		json_object *t = r.truth.recs[i], *rcv = NULL, *c;
		int64_t msgs = 0, bytes = 0;
		size_t k;

		if (!integ_is(t, "kind", "unix_dgram"))
			continue;
		flows++;
		/* the socket bound to the destination path: where the datagrams must have gone */
		for (k = 0; k < r.truth.n && !rcv; k++)
			if (integ_is(r.truth.recs[k], "kind", "unix_socket") &&
			    str_is(r.truth.recs[k], "path", integ_str(t, "path")))
				rcv = r.truth.recs[k];
		assert_non_null(rcv);
		for (k = 0; k < r.log.n; k++) {
			json_object *e = r.log.recs[k];
			bool connected = integ_bool(t, "connected");

			if (!integ_is(e, "type", connected ? "unix_send" : "unix_sendmsg") ||
			    integ_i64(e, "pid") != integ_i64(t, "pid") ||
			    integ_i64(e, "ino") != integ_i64(t, "ino") || integ_i64(e, "ret") <= 0)
				continue;
			if (!connected && !str_is(e, "path", integ_str(t, "path")))
				continue;
			/* addressed or connected, the kernel said where it was queued */
			if (integ_i64(e, "peer_ino") != integ_i64(rcv, "ino"))
				integ_dump("datagram queued elsewhere", e),
					integ_dump("receiver", rcv);
			assert_int_equal(integ_i64(e, "peer_ino"), integ_i64(rcv, "ino"));
			assert_int_equal(integ_i64(e, "peer_owner_pid"), integ_i64(rcv, "pid"));
			msgs++;
			bytes += integ_i64(e, "ret");
		}
		if (msgs != integ_i64(t, "msgs") || bytes != integ_i64(t, "bytes"))
			integ_dump("datagrams differ", t);
		assert_int_equal(msgs, integ_i64(t, "msgs"));
		assert_int_equal(bytes, integ_i64(t, "bytes"));
		if (!integ_bool(t, "connected"))
			continue;
		c = integ_find(&r.log, "type", "unix_connect", "pid", integ_i64(t, "pid"), "ino",
			       integ_i64(t, "ino"), "ret", INTEG_I(0), "peer_ino",
			       integ_i64(rcv, "ino"), NULL);
		assert_non_null(c);
		assert_true(str_is(c, "path", integ_str(t, "path")));
	}
	assert_int_equal(flows, 4); /* two senders to the receiver, its answers to each */
	/* the senders' datagrams woke the receiver's epoll_wait on its socket */
	{
		int64_t rcv_ino[1], rcv_pid[1], senders[4];
		size_t ns = collect(&r, "unix_socket", "sender", "pid", senders, 4);

		assert_int_equal(collect(&r, "unix_socket", "receiver", "ino", rcv_ino, 1), 1);
		assert_int_equal(collect(&r, "unix_socket", "receiver", "pid", rcv_pid, 1), 1);
		assert_int_equal(ns, 2);
		assert_true(wake_links(&r, rcv_pid[0], rcv_ino, 1, senders, ns) >= 1);
	}
	free_run(&r);
}

static void test_unix__socketpair_demo(void **state)
{
	struct ux_run r = { 0 };
	json_object *t, *e, *child_io = NULL;
	int64_t parent, child, ino0, ino1, inos[1], senders[1];
	size_t i;

	run_demo(&r, "socketpair");
	check_io(&r);
	t = integ_find(&r.truth, "kind", "unix_pair", NULL);
	assert_non_null(t);
	parent = integ_i64(t, "pid");
	ino0 = integ_i64(t, "ino0");
	ino1 = integ_i64(t, "ino1");
	e = integ_find(&r.log, "type", "unix_socket", "pid", parent, "ino", ino0, "ino2", ino1,
		       "fd", integ_i64(t, "fd0"), "fd2", integ_i64(t, "fd1"), "ret", INTEG_I(0),
		       NULL);
	if (!e)
		integ_dump("socketpair() not traced", t);
	assert_non_null(e);
	assert_true(integ_bool(e, "pair"));
	for (i = 0; i < r.truth.n; i++)
		if (integ_is(r.truth.recs[i], "kind", "unix_io") &&
		    integ_i64(r.truth.recs[i], "ino") == ino1)
			child_io = r.truth.recs[i];
	assert_non_null(child_io);
	child = integ_i64(child_io, "pid");
	assert_int_not_equal(child, parent);
	/* the fd passed with SCM_RIGHTS */
	t = integ_find(&r.truth, "kind", "unix_fds", NULL);
	assert_non_null(t);
	e = integ_find(&r.log, "type", "unix_sendmsg", "pid", parent, "ino", ino0, "nfds",
		       integ_i64(t, "nfds"), "peer_ino", ino1, NULL);
	assert_non_null(e);
	/* shutdown(SHUT_WR), then the last closes; the child's close of the parent's end was not */
	assert_non_null(integ_find(&r.log, "type", "unix_shutdown", "pid", parent, "ino", ino0,
				   "how", INTEG_I(1), "ret", INTEG_I(0), NULL));
	assert_non_null(integ_find(&r.log, "type", "unix_close", "pid", child, "ino", ino1, NULL));
	assert_non_null(integ_find(&r.log, "type", "unix_close", "pid", parent, "ino", ino0, NULL));
	assert_null(integ_find(&r.log, "type", "unix_close", "pid", child, "ino", ino0, NULL));
	/* the parent's sends woke the child's epoll_wait on its end */
	inos[0] = ino1;
	senders[0] = parent;
	assert_true(wake_links(&r, child, inos, 1, senders, 1) >= 1);
	free_run(&r);
}

/* -e: the unix group alone, and everything but it */
static void test_unix__group_switch(void **state)
{
	struct ux_run r = { 0 };
	char exe[PATH_MAX];
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-e",
			 (char *)"unix",
			 (char *)"-o",
			 r.log_path,
			 (char *)"--",
			 exe,
			 (char *)"demo",
			 (char *)"--no-trace",
			 (char *)"-q",
			 (char *)"socketpair",
			 NULL };
	size_t i, unix_n = 0, epoll_n = 0;

	assert_non_null(realpath(integ_procscope(), exe));
	ux_paths(&r);
	ux_run_argv(&r, argv);
	for (i = 0; i < r.log.n; i++) {
		const char *type = integ_str(r.log.recs[i], "type");

		unix_n += !strncmp(type, "unix_", 5);
		epoll_n += !strncmp(type, "epoll_", 6);
	}
	assert_true(unix_n > 0);
	assert_int_equal(epoll_n, 0);
	integ_free(&r.log);
	argv[5] = (char *)"proc,epoll";
	ux_run_argv(&r, argv);
	for (i = unix_n = epoll_n = 0; i < r.log.n; i++) {
		const char *type = integ_str(r.log.recs[i], "type");

		unix_n += !strncmp(type, "unix_", 5);
		epoll_n += !strncmp(type, "epoll_", 6);
	}
	assert_int_equal(unix_n, 0);
	assert_true(epoll_n > 0);
	free_run(&r);
}

/* The tracepoints procscope has links on, as its command (its child) reads them from fdinfo */
static char *attached_tracepoints(struct ux_run *r, const char *groups)
{
	/* procscope opens /proc files as it runs: one may close under grep, which then exits 2 */
	char out[160];
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-e",
			 (char *)groups,
			 (char *)"--",
			 (char *)"/bin/sh",
			 (char *)"-c",
			 (char *)"grep -h '^tp_name:' /proc/$PPID/fdinfo/* 2>/dev/null; true",
			 NULL };
	char *text;

	snprintf(out, sizeof(out), "%s/tp.txt", r->dir);
	assert_int_equal(integ_run(argv, out, NULL), 0);
	text = integ_slurp(out, NULL);
	assert_non_null(text);
	return text;
}

/* -e without unix keeps the socket programs out of the kernel: they would cost every send */
static void test_unix__switched_off_not_attached(void **state)
{
	struct ux_run r = { 0 };
	char *tps;

	ux_paths(&r);
	tps = attached_tracepoints(&r, "proc,epoll");
	assert_non_null(strstr(tps, "\tsys_enter\n"));
	assert_non_null(strstr(tps, "\tsched_process_exit\n"));
	assert_null(strstr(tps, "sock_send_length"));
	assert_null(strstr(tps, "sock_recv_length"));
	assert_null(strstr(tps, "sk_data_ready"));
	free(tps);
	tps = attached_tracepoints(&r, "unix");
	assert_non_null(strstr(tps, "\tsock_send_length\n"));
	assert_non_null(strstr(tps, "\tsock_recv_length\n"));
	assert_non_null(strstr(tps, "\tsk_data_ready\n"));
	free(tps);
	free_run(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix__stream_demo),
		cmocka_unit_test(test_unix__abstract_demo),
		cmocka_unit_test(test_unix__dgram_demo),
		cmocka_unit_test(test_unix__socketpair_demo),
		cmocka_unit_test(test_unix__group_switch),
		cmocka_unit_test(test_unix__switched_off_not_attached),
	};

	if (!integ_can_trace()) {
		fprintf(stderr, "test_unix: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
