/* SPDX-License-Identifier: MIT */
/*
 * le.h - little-endian integers in byte buffers, for the binary trace formats.
 * Each is one unaligned load or store plus a byte swap on big-endian hosts (none on
 * little-endian ones).
 */
#ifndef TS_SIM_UTIL_LE_H
#define TS_SIM_UTIL_LE_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t ts_get_le16(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return le16toh(v);
}

static inline uint32_t ts_get_le32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return le32toh(v);
}

static inline uint64_t ts_get_le64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return le64toh(v);
}

static inline void ts_put_le16(unsigned char *p, uint16_t v)
{
    v = htole16(v);
    memcpy(p, &v, sizeof(v));
}

static inline void ts_put_le32(unsigned char *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, sizeof(v));
}

static inline void ts_put_le64(unsigned char *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, sizeof(v));
}

#endif
