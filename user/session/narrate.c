// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The narration pipe of a traced demo (narrate.h). A line is written after what it narrates,
 * so it is printed after every event older than its time: the pipe is read before an event
 * newer than the last read is applied, and the live sink orders lines and events by time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "live.h"
#include "narrate.h"

/* The drain thread queues the ring's records at least every 10 ms: a generous margin */
#define NARRATE_IDLE_NS 100000000ull

struct narrate {
	int fd;
	struct sink *live;
	uint64_t read_ts; /* CLOCK_BOOTTIME of the last read */
	size_t len;
	bool skip; /* the line being read was too long: dropped up to its newline */
	char buf[4096];
};

struct narrate *narrate_new(int fd, struct sink *live)
{
	struct narrate *n;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->fd = fd;
	n->live = live;
	return n;
}

void narrate_free(struct narrate *n)
{
	free(n);
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "TS TEXT": to the live sink; anything else is dropped */
static void take_line(struct narrate *n, char *line, size_t len)
{
	char *text;
	unsigned long long ts;

	line[len] = '\0';
	errno = 0;
	ts = strtoull(line, &text, 10);
	if (errno || text == line || *text != ' ')
		return;
	text++;
	live_sink_note(n->live, ts, text, (size_t)(line + len - text));
}

static void read_pipe(struct narrate *n)
{
	ssize_t r;
	char *nl;
	size_t used;

	n->read_ts = boottime_ns();
	for (;;) {
		r = read(n->fd, n->buf + n->len, sizeof(n->buf) - 1 - n->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		n->len += (size_t)r;
		used = 0;
		while ((nl = memchr(n->buf + used, '\n', n->len - used))) {
			if (!n->skip)
				take_line(n, n->buf + used, (size_t)(nl - (n->buf + used)));
			n->skip = false;
			used = (size_t)(nl - n->buf) + 1;
		}
		memmove(n->buf, n->buf + used, n->len - used);
		n->len -= used;
		if (n->len == sizeof(n->buf) - 1) {
			n->skip = true; /* no newline in 4 KiB: not a line of ours */
			n->len = 0;
		}
	}
}

void narrate_before(struct narrate *n, uint64_t ts)
{
	if (n && ts > n->read_ts)
		read_pipe(n);
}

void narrate_idle(struct narrate *n, uint64_t now)
{
	if (!n)
		return;
	read_pipe(n);
	if (now > NARRATE_IDLE_NS)
		live_sink_notes_upto(n->live, now - NARRATE_IDLE_NS);
}
