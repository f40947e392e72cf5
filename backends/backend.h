/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the table of this folder's live back-ends (backends/registry.c), a
 * ts_registry_t of sim/registry.h sorted by name, and each back-end's ops. The seam itself
 * (requests, submit and poll, capability flags) is sim/backend.h. app/plugins.c gathers this
 * table with every other kind's.
 */
#ifndef TS_BACKENDS_BACKEND_H
#define TS_BACKENDS_BACKEND_H

#include "../sim/backend.h"
#include "../sim/registry.h"

/* Every live back-end, sorted by name; its kind check is ts_backend_check. */
extern const ts_registry_t ts_backends;

extern const ts_backend_ops_t ts_backend_directory;
extern const ts_backend_ops_t ts_backend_file;
extern const ts_backend_ops_t ts_backend_gpu;
extern const ts_backend_ops_t ts_backend_memory;
extern const ts_backend_ops_t ts_backend_s3;

#endif
