// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report's read loop (see report_pipe.h). Parsing is three quarters of report's CPU and each
 * line parses alone, given the time base: so the caller's thread reads lines into batches (a
 * ring of PIPE_BATCHES, each the lines' text and a parsed event per line), parser threads
 * take the batches in turn, and the caller's thread applies them in order, feeding a parsed
 * event as it is and any other line (header, trailer, loss, damage, blank) to the feed's own
 * parser, exactly as one thread would. One lock, taken once per batch.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "evfast.h"
#include "report_pipe.h"
#include "schema.h"

#define PIPE_BATCHES 4
#define PIPE_LINES 1024 /* lines per batch */
#define PIPE_TEXT (256u << 10) /* text per batch before it is handed on (a line may pass it) */
#define PIPE_MAX_THREADS 4

struct pipe_line {
	uint64_t lineno;
	size_t off, len;
	unsigned int flags;
	bool parsed; /* ev holds it */
};

struct batch {
	size_t n;
	bool parsed; /* every line tried */
	char *text;
	size_t text_len, text_cap;
	struct pipe_line line[PIPE_LINES];
	union psc_event ev[PIPE_LINES];
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a batch to parse, or stop */
	pthread_cond_t done; /* a batch parsed */
	struct batch *b[PIPE_BATCHES]; /* batch k is b[k % PIPE_BATCHES] */
	uint64_t filled; /* batches handed on */
	uint64_t taken; /* batches a parser took */
	bool stop;
	uint64_t base_ns;
};

unsigned int report_pipe_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n <= 1)
		return 0;
	return n > PIPE_MAX_THREADS ? PIPE_MAX_THREADS : (unsigned int)n;
}

static void parse_batch(struct batch *b, uint64_t base_ns, struct evfast_cache *cache)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		struct pipe_line *l = &b->line[i];

		l->parsed = !(l->flags & EVREAD_LINE_TOO_LONG) &&
			    evfast_parse_event(b->text + l->off, l->len, base_ns, cache, &b->ev[i]);
	}
}

static void *parser(void *arg)
{
	struct pipe *p = arg;
	struct evfast_cache cache = { 0 };
	struct batch *b;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->taken == p->filled)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		b = p->b[p->taken++ % PIPE_BATCHES];
		pthread_mutex_unlock(&p->mu);
		parse_batch(b, p->base_ns, &cache);
		pthread_mutex_lock(&p->mu);
		b->parsed = true;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Copy a line into @b; false when out of memory */
static bool batch_add(struct batch *b, const char *line, size_t len, unsigned int flags,
		      uint64_t lineno)
{
	struct pipe_line *l = &b->line[b->n];

	if (b->text_len + len > b->text_cap) {
		size_t cap = b->text_cap ? b->text_cap : PIPE_TEXT;
		char *t;

		while (cap < b->text_len + len)
			cap *= 2;
		t = realloc(b->text, cap);
		if (!t)
			return false;
		b->text = t;
		b->text_cap = cap;
	}
	if (len)
		memcpy(b->text + b->text_len, line, len);
	l->lineno = lineno;
	l->off = b->text_len;
	l->len = len;
	l->flags = flags;
	b->text_len += len;
	b->n++;
	return true;
}

/* Feed the lines of @b in order: 0, or the feed's error with *@err_line */
static int apply_batch(struct report_feed *feed, const struct batch *b, report_pipe_each_fn each,
		       void *ctx, uint64_t *err_line)
{
	size_t i;
	int err;

	for (i = 0; i < b->n; i++) {
		const struct pipe_line *l = &b->line[i];

		err = l->parsed ?
			      report_feed_event(feed, l->lineno, &b->ev[i]) :
			      report_feed_line(feed, l->lineno, b->text + l->off, l->len, l->flags);
		if (err) {
			*err_line = l->lineno;
			return err;
		}
		if (each)
			each(ctx, l->lineno);
	}
	return 0;
}

/* One line at a time on this thread, until the end or (@until_base) the base is fixed */
static int run_serial(struct report_feed *feed, struct evread_file *in, bool until_base,
		      report_pipe_each_fn each, void *ctx, int *feed_err, uint64_t *err_line)
{
	const char *line;
	unsigned int flags;
	uint64_t base;
	size_t len;
	int n = 1;

	while (!(until_base && report_feed_base(feed, &base)) &&
	       (n = evread_file_next(in, &line, &len, &flags)) > 0) {
		*feed_err = report_feed_line(feed, evread_file_lineno(in), line, len, flags);
		if (*feed_err) {
			*err_line = evread_file_lineno(in);
			return n;
		}
		if (each)
			each(ctx, evread_file_lineno(in));
	}
	return until_base && report_feed_base(feed, &base) ? 1 : n;
}

static void pipe_stop(struct pipe *p, pthread_t *th, unsigned int started)
{
	unsigned int i;

	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < PIPE_BATCHES; i++) {
		if (p->b[i])
			free(p->b[i]->text);
		free(p->b[i]);
	}
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
}

int report_pipe_run(struct report_feed *feed, struct evread_file *in, unsigned int nthreads,
		    report_pipe_each_fn each, void *ctx, int *feed_err, uint64_t *err_line)
{
	struct pipe p = { .mu = PTHREAD_MUTEX_INITIALIZER,
			  .work = PTHREAD_COND_INITIALIZER,
			  .done = PTHREAD_COND_INITIALIZER };
	pthread_t th[PIPE_MAX_THREADS];
	unsigned int started = 0, i;
	uint64_t applied = 0;
	const char *line;
	unsigned int flags;
	size_t len;
	int n;

	*feed_err = 0;
	*err_line = 0;
	if (nthreads > PIPE_MAX_THREADS)
		nthreads = PIPE_MAX_THREADS;
	/* the lines before the time base is known, and everything without threads */
	n = run_serial(feed, in, nthreads > 0, each, ctx, feed_err, err_line);
	if (n <= 0 || *feed_err || !nthreads)
		return n;
	report_feed_base(feed, &p.base_ns);
	schema_lookup(0); /* the registry, built before the parsers read it */
	for (i = 0; i < PIPE_BATCHES; i++) {
		p.b[i] = malloc(sizeof(*p.b[i]));
		if (!p.b[i])
			goto serial;
		p.b[i]->text = NULL;
		p.b[i]->text_cap = 0;
	}
	for (; started < nthreads; started++)
		if (pthread_create(&th[started], NULL, parser, &p))
			break;
	if (!started)
		goto serial;
	for (;;) {
		/* read ahead into every free batch */
		while (n > 0 && p.filled - applied < PIPE_BATCHES) {
			struct batch *b = p.b[p.filled % PIPE_BATCHES];

			b->n = b->text_len = 0;
			b->parsed = false;
			while (b->n < PIPE_LINES && b->text_len < PIPE_TEXT &&
			       (n = evread_file_next(in, &line, &len, &flags)) > 0)
				if (!batch_add(b, line, len, flags, evread_file_lineno(in))) {
					*feed_err = -ENOMEM;
					*err_line = evread_file_lineno(in);
					break;
				}
			if (*feed_err || !b->n)
				break;
			pthread_mutex_lock(&p.mu);
			p.filled++;
			pthread_cond_signal(&p.work);
			pthread_mutex_unlock(&p.mu);
		}
		if (*feed_err || applied == p.filled)
			break;
		/* then apply the oldest, in order */
		pthread_mutex_lock(&p.mu);
		while (!p.b[applied % PIPE_BATCHES]->parsed)
			pthread_cond_wait(&p.done, &p.mu);
		pthread_mutex_unlock(&p.mu);
		*feed_err = apply_batch(feed, p.b[applied % PIPE_BATCHES], each, ctx, err_line);
		if (*feed_err)
			break;
		applied++;
	}
	pipe_stop(&p, th, started);
	return n;
serial:
	pipe_stop(&p, th, started);
	return run_serial(feed, in, false, each, ctx, feed_err, err_line);
}
