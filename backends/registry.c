/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the live back-ends, one line each, sorted by name (backend.h).
 */
#include "backend.h"

static const ts_plugin_t *const k_backends[] = {
    &ts_backend_directory.base,
    &ts_backend_file.base,
    &ts_backend_gpu.base,
    &ts_backend_memory.base,
    &ts_backend_s3.base,
};

const ts_registry_t ts_backends = {
    .kind = TS_PLUGIN_BACKEND,
    .entries = k_backends,
    .n = sizeof(k_backends) / sizeof(k_backends[0]),
    .check = ts_backend_check,
};
