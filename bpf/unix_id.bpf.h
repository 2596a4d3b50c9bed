/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * AF_UNIX socket identity and addresses, shared by the sock tracepoints (unix.bpf.c) and the
 * syscalls (unix_sys.bpf.h): the opaque sk_id of a kernel sock and the address a caller gave.
 */
#ifndef __PSC_UNIX_ID_BPF_H
#define __PSC_UNIX_ID_BPF_H

#include "common.bpf.h"

#define UX_AF_UNIX 1
#define UX_SUN_PATH_OFF 2 /* sizeof(sa_family_t): sun_path follows */

/* A bijective 64-bit mix (murmur3's finalizer) */
static __always_inline __u64 ux_mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * sk_id: the sock pointer through two keyed rounds of a bijective mix. Stable for the trace,
 * distinct for distinct socks, and without the key no kernel address can be read back from it.
 */
static __always_inline __u64 ux_sk_id(__u64 sk)
{
	if (!sk)
		return 0;
	return ux_mix64(ux_mix64(sk ^ cfg_sk_key) ^ ((cfg_sk_key << 32) | (cfg_sk_key >> 32)));
}

/* A struct sockaddr_un of @ulen bytes in user memory: exactly the bytes given, no more */
static __always_inline void ux_read_user_addr(__u64 uaddr, __u64 ulen, struct psc_unix_addr *a)
{
	__s32 len = (__s32)ulen; /* a socklen_t */
	__u64 n;

	if (!uaddr || len <= UX_SUN_PATH_OFF)
		return;
	n = (__u64)(len - UX_SUN_PATH_OFF);
	if (n > PSC_UNIX_PATH_LEN)
		n = PSC_UNIX_PATH_LEN;
	barrier_var(n);
	if (!bpf_probe_read_user(a->path, n, (void *)(uaddr + UX_SUN_PATH_OFF)))
		a->len = n;
}

#endif /* __PSC_UNIX_ID_BPF_H */
