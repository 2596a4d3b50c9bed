/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef __PSC_VERSION_H
#define __PSC_VERSION_H

#define PSC_VERSION "0.1.0"

#endif /* __PSC_VERSION_H */
