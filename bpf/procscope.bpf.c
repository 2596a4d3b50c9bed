// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one translation unit of the BPF side: every group's programs, compiled together. With
 * separate objects linked by `bpftool gen object`, a kfunc declared in two of them (the
 * bpf_rdonly_cast() every record header uses, see psc_ro()) fails the link with libbpf 1.1
 * ("failed to resolve size of underlying type", fixed in libbpf 1.5).
 */
#include "proc.bpf.c"
#include "sched.bpf.c"
#include "seed.bpf.c"
#include "sys.bpf.c"
#include "unix.bpf.c"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
