// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unix-socket addresses (a path, an abstract @name, or none) and the names of socket types and
 * errors, for the model and its outputs. Pure.
 */
#include <stdio.h>
#include <string.h>
#include "strutil.h"
#include "unix_flow_int.h"

size_t unix_addr_view(const struct psc_unix_addr *a, const char **bytes, bool *abstract)
{
	size_t n = a->len > PSC_UNIX_PATH_LEN ? PSC_UNIX_PATH_LEN : a->len;

	*bytes = a->path;
	*abstract = n > 0 && a->path[0] == '\0';
	if (!*abstract)
		n = strnlen(a->path, n); /* the kernel reads a path up to its NUL */
	return n;
}

bool unix_addr_equal(const struct psc_unix_addr *a, const struct psc_unix_addr *b)
{
	const char *pa, *pb;
	bool aa, ab;
	size_t na = unix_addr_view(a, &pa, &aa), nb = unix_addr_view(b, &pb, &ab);

	return na == nb && aa == ab && !memcmp(pa, pb, na);
}

const char *unix_addr_str(const struct psc_unix_addr *a, char *buf, size_t size)
{
	const char *p;
	bool abstract;
	size_t n = unix_addr_view(a, &p, &abstract);

	if (!size)
		return buf;
	buf[0] = '\0';
	if (abstract && size > 1) {
		buf[0] = '@';
		term_escape(buf + 1, size - 1, p + 1, n - 1);
	} else if (!abstract) {
		term_escape(buf, size, p, n);
	}
	return buf;
}

/* FNV-1a over the address's bytes: the path index key (a hit is checked with the bytes) */
uint64_t ux_addr_key(const struct psc_unix_addr *a)
{
	const char *p;
	bool abstract;
	size_t n = unix_addr_view(a, &p, &abstract), i;
	uint64_t h = 0xcbf29ce484222325ull;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ abstract;
}

const char *unix_type_name(uint32_t type, char *buf, size_t size)
{
	switch (type) {
	case PSC_SOCK_STREAM:
		return "stream";
	case PSC_SOCK_DGRAM:
		return "dgram";
	case PSC_SOCK_SEQPACKET:
		return "seqpacket";
	default:
		snprintf(buf, size, "type %u", type);
		return buf;
	}
}
