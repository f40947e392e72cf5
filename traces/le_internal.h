/* SPDX-License-Identifier: MIT */
/*
 * le_internal.h - little-endian integers in byte buffers, for the binary trace formats.
 * Each is one unaligned load or store plus a byte swap on big-endian hosts (none on
 * little-endian ones). Not part of the public API (ts__ prefix).
 */
#ifndef TS_TRACES_LE_INTERNAL_H
#define TS_TRACES_LE_INTERNAL_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t ts__get_le16(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return le16toh(v);
}

static inline uint32_t ts__get_le32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return le32toh(v);
}

static inline uint64_t ts__get_le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return le64toh(v);
}

static inline void ts__put_le16(unsigned char *p, uint16_t v)
{
    v = htole16(v);
    memcpy(p, &v, sizeof(v));
}

static inline void ts__put_le32(unsigned char *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, sizeof(v));
}

static inline void ts__put_le64(unsigned char *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, sizeof(v));
}

#endif
