/* SPDX-License-Identifier: MIT */
/*
 * sweep_journal.c - a sweep's finished points on disk as they finish (see sweep_journal.h).
 */
#include "sweep_journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "../reports/h5.h"
#include "../sim/util/io.h"
#include "../sim/util/mem.h"
#include "../sim/util/text.h"

#define SJ_MAGIC "TSJREC01"
#define SJ_FIRST "tiersim sweep journal 1\n"
#define SJ_MAX_RECORD ((uint64_t)1 << 32) /* bytes of one point's results file, at most */
#define SJ_ZSTD_LEVEL 3

typedef struct sj_head {
    char magic[8];  /* SJ_MAGIC */
    uint64_t point; /* the point's number in the grid */
    uint64_t zsize; /* bytes of the zstd frame that follows */
    uint64_t size;  /* bytes of the results file it holds */
} sj_head_t;

struct ts_sweep_journal {
    int fd;
    char path[PATH_MAX];
    char dir[PATH_MAX];
    const ts_sweep_t *s;
    uint64_t end;  /* bytes of header and complete records */
    uint64_t synced; /* bytes of them made durable (the last fdatasync's) */
    pthread_mutex_t h5; /* held while HDF5 works: records built, read, other files */
    int live;      /* its entry in the live table until its first record (sim/util/io.h):
                    * a sweep interrupted before it finished a point leaves nothing */
    bool is_scratch; /* keeps that entry: the journal of a scratch directory */
    uint64_t *off; /* per run: 1 + its record's offset; 0: none */
};

/* ---- the header ---- */

static uint64_t sj_hash_axis(const ts_sweep_axis_t *a)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t v = 0; v < a->n_values; v++)
        h = (h ^ ts_text_hash(a->values[v])) * 0x100000001b3ULL;
    return h;
}

/* The header's text: one line per thing that names the sweep, the key last. */
static char *sj_header(const ts_sweep_journal_id_t *id)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return NULL;
    fputs(SJ_FIRST, f);
    fprintf(f, "source %s\nscenario %016llx\n", id->source,
            (unsigned long long)ts_text_hash(id->text ? id->text : ""));
    for (size_t k = 0; k < id->n_overrides; k++) {
        const char *o = id->overrides[k], *eq = strchr(o, '=');
        size_t klen = eq ? (size_t)(eq - o) : strlen(o);
        fprintf(f, "set %016llx %.*s\n", (unsigned long long)ts_text_hash(eq ? eq + 1 : ""),
                (int)klen, o);
    }
    const ts_sweep_t *s = id->sweep;
    for (size_t a = 0; a < s->n_axes; a++)
        fprintf(f, "axis %016llx %zu %s\n", (unsigned long long)sj_hash_axis(&s->axes[a]),
                s->axes[a].n_values, s->axes[a].key);
    fprintf(f, "shard %zu/%zu\nend\n", s->shard, s->n_shards);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    for (char *p = strchr(buf, '\r'); p; p = strchr(p, '\r'))
        *p = ' ';
    return buf;
}

/* The lines of header h that start with kind (a word), at most max, into v. */
static size_t sj_lines(const char *h, const char *kind, const char **v, size_t max)
{
    size_t n = 0, len = strlen(kind);
    for (const char *p = h; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (!strncmp(p, kind, len) && p[len] == ' ' && n < max)
            v[n++] = p;
    return n;
}

/* The key of a header line: its last field ("axis 0123... 4 tiers.0.capacity"); a
 * scenario line has none. */
static void sj_key(const char *line, const char *kind, char *key, size_t size)
{
    const char *p = line + strlen(kind) + 1;
    int fields = !strcmp(kind, "axis") ? 2 : !strcmp(kind, "set") ? 1 : 0;
    for (int k = 0; k < fields && p; k++)
        p = strchr(p, ' '), p = p ? p + 1 : NULL;
    size_t n = p ? strcspn(p, "\n") : 0;
    snprintf(key, size, "%.*s", (int)(n < size ? n : size - 1), p ? p : "");
}

static bool sj_same_line(const char *a, const char *b)
{
    size_t n = strcspn(a, "\n");
    return n == strcspn(b, "\n") && !strncmp(a, b, n);
}

/* Names what differs between the journal's header (had) and this sweep's (want). */
static int sj_differs(const char *had, const char *want, const char *source, const char *path,
                      ts_err_t *err)
{
    static const char *const kinds[] = {"scenario", "set", "axis", "shard"};
    static const char *const names[] = {"scenario", "-s", "axis", "shard"};
    enum { MAX = TS_SWEEP_MAX_AXES + 1024 };
    const char **h = ts_calloc(2 * MAX, sizeof(*h)), **w = h ? h + MAX : NULL;
    if (!h)
        return ts_err_set(err, TS_ENOMEM, "cannot compare the sweep with '%s'", path);
    int rc = 0;
    for (size_t k = 0; k < 4 && !rc; k++) {
        size_t nh = sj_lines(had, kinds[k], h, MAX), nw = sj_lines(want, kinds[k], w, MAX);
        for (size_t i = 0; i < (nh > nw ? nh : nw) && !rc; i++) {
            if (i < nh && i < nw && sj_same_line(h[i], w[i]))
                continue;
            char kh[512] = "", kw[512] = "";
            if (i < nh)
                sj_key(h[i], kinds[k], kh, sizeof(kh));
            if (i < nw)
                sj_key(w[i], kinds[k], kw, sizeof(kw));
            const char *why;
            if (k == 0)
                why = "its text is not the one the journal's sweep ran (the file changed, or "
                      "another file)";
            else if (k == 3)
                why = "the journal's sweep ran another shard";
            else if (i >= nh)
                why = "given here but not to the journal's sweep";
            else if (i >= nw)
                why = "given to the journal's sweep but not here";
            else if (strcmp(kh, kw))
                why = "the journal's sweep has another key in this place (the keys' order "
                      "numbers the points)";
            else
                why = k == 1 ? "its value differs from the journal's sweep's"
                             : "its values differ from the journal's sweep's";
            rc = ts_err_set(err, TS_EINVAL,
                            "cannot resume: '%s' is the journal of another sweep: %s %s: %s "
                            "(run without --resume to start afresh)",
                            path, names[k], k == 0 ? source : i < nw ? kw : kh, why);
        }
    }
    ts_free(h);
    return rc;
}

/* ---- the file ---- */

static int sj_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP ? -1 : 0;
    close(fd);
    return rc;
}

static int sj_write_all(int fd, const void *buf, size_t n, uint64_t at)
{
    const char *p = buf;
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        p += w, n -= (size_t)w, at += (uint64_t)w;
    }
    return 0;
}

static int sj_new(const char *dir, const char *name, const ts_sweep_t *s,
                  ts_sweep_journal_t **out, ts_err_t *err)
{
    ts_sweep_journal_t *j = ts_calloc(1, sizeof(*j));
    if (j)
        j->off = ts_calloc(s->n_runs + 1, sizeof(*j->off));
    if (!j || !j->off) {
        ts_free(j);
        return ts_err_set(err, TS_ENOMEM, "cannot hold the sweep's journal");
    }
    j->fd = -1;
    j->s = s;
    pthread_mutex_init(&j->h5, NULL);
    snprintf(j->dir, sizeof(j->dir), "%s", dir);
    if (snprintf(j->path, sizeof(j->path), "%s/%s", dir, name) >=
        (int)sizeof(j->path)) {
        ts_sweep_journal_close(j);
        return ts_err_set(err, TS_EINVAL, "'%s': the directory's name is too long", dir);
    }
    *out = j;
    return 0;
}

int ts_sweep_journal_create(const char *dir, const ts_sweep_journal_id_t *id,
                            ts_sweep_journal_t **out, ts_err_t *err)
{
    return ts_sweep_journal_create_as(dir, TS_SWEEP_JOURNAL, id, out, err);
}

int ts_sweep_journal_create_as(const char *dir, const char *name,
                               const ts_sweep_journal_id_t *id, ts_sweep_journal_t **out,
                               ts_err_t *err)
{
    *out = NULL;
    ts_sweep_journal_t *j;
    int rc = ts_mkdir_p(dir, err);
    if (rc == 0)
        rc = sj_new(dir, name, id->sweep, &j, err);
    if (rc)
        return rc;
    j->is_scratch = id->is_scratch;
    char *head = sj_header(id), tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", j->path);
    if (!head) {
        ts_sweep_journal_close(j);
        return ts_err_set(err, TS_ENOMEM, "cannot hold the header of '%s'", j->path);
    }
    rc = ts_io_check_target(j->path, "sweep journal", err);
    sigset_t old;
    ts_io_hold_signals(&old); /* made and in the live table as one */
    int fd = rc ? -1 : mkstemp(tmp), e = errno;
    int live = fd >= 0 ? ts_io_live_add(tmp, j->path, false) : 0;
    ts_io_release_signals(&old);
    if (!rc && fd < 0)
        rc = ts_err_sys(err, ts_io_code(e), e, "'%s': cannot create the sweep journal", j->path);
    if (!rc && ((e = sj_write_all(fd, head, strlen(head), 0)) != 0 ||
                (fchmod(fd, 0644) != 0 && (e = errno)) || (fsync(fd) != 0 && (e = errno))))
        rc = ts_err_sys(err, ts_io_code(e), e, "'%s': cannot write the sweep journal",
                        j->path);
    if (!rc && (rc = ts_io_check_target(j->path, "sweep journal", err)) == 0) {
        ts_io_hold_signals(&old);
        if (rename(tmp, j->path) != 0) {
            e = errno;
            rc = ts_err_sys(err, ts_io_code(e), e, "'%s': cannot rename the sweep journal "
                            "into place", j->path);
        } else {
            ts_io_live_drop(live);
            live = 0;
            j->live = ts_io_live_add(j->path, j->path, false);
        }
        ts_io_release_signals(&old);
    }
    if (!rc && sj_sync_dir(dir) != 0)
        rc = ts_err_sys(err, TS_EIO, errno, "'%s': cannot sync the directory", dir);
    if (live) {
        unlink(tmp);
        ts_io_live_drop(live);
    }
    j->fd = fd;
    j->end = strlen(head);
    j->synced = j->end; /* the header: synced above */
    free(head);
    if (rc) {
        ts_sweep_journal_close(j);
        return rc;
    }
    *out = j;
    return 0;
}

/* Reads and checks the record at `at` (below end) into a results file's bytes: 0 with
 * *image (ts_free) and *size, or -1 when it is cut short or damaged. */
static int sj_record(const ts_sweep_journal_t *j, uint64_t at, uint64_t end, sj_head_t *hd,
                     void **image, size_t *size)
{
    *image = NULL;
    if (end - at < sizeof(*hd) || pread(j->fd, hd, sizeof(*hd), (off_t)at) != sizeof(*hd) ||
        memcmp(hd->magic, SJ_MAGIC, 8) != 0 || hd->zsize > end - at - sizeof(*hd) ||
        hd->size > SJ_MAX_RECORD || hd->size == 0 || hd->point >= j->s->n_points ||
        hd->point % j->s->n_shards != j->s->shard)
        return -1;
    void *z = ts_malloc(hd->zsize + 1), *raw = ts_malloc(hd->size);
    int rc = z && raw ? 0 : -1;
    if (!rc && pread(j->fd, z, hd->zsize, (off_t)(at + sizeof(*hd))) != (ssize_t)hd->zsize)
        rc = -1;
    if (!rc && ZSTD_decompress(raw, hd->size, z, hd->zsize) != hd->size)
        rc = -1;
    ts_free(z);
    if (rc) {
        ts_free(raw);
        return -1;
    }
    *image = raw;
    *size = hd->size;
    return 0;
}

int ts_sweep_journal_resume(const char *dir, const ts_sweep_journal_id_t *id,
                            ts_sweep_journal_t **out, ts_err_t *err)
{
    return ts_sweep_journal_resume_as(dir, TS_SWEEP_JOURNAL, id, out, err);
}

int ts_sweep_journal_resume_as(const char *dir, const char *name,
                               const ts_sweep_journal_id_t *id, ts_sweep_journal_t **out,
                               ts_err_t *err)
{
    *out = NULL;
    ts_sweep_journal_t *j;
    int rc = sj_new(dir, name, id->sweep, &j, err);
    if (rc)
        return rc;
    struct stat st;
    j->fd = open(j->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    if (j->fd < 0 || fstat(j->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = j->fd < 0 && e == ENOENT
                 ? ts_err_set(err, TS_ENOENT, "cannot resume: no sweep journal '%s' (the sweep "
                              "finished, or never ran with -o there)", j->path)
             : j->fd < 0 ? ts_err_sys(err, TS_EIO, e, "cannot resume: cannot open '%s'", j->path)
                         : ts_err_set(err, TS_EIO, "cannot resume: '%s' is not a regular file",
                                      j->path);
        ts_sweep_journal_close(j);
        return rc;
    }
    char *want = sj_header(id), *had = NULL;
    if (!want || !(had = ts_calloc(1, 64 * 1024)))
        rc = ts_err_set(err, TS_ENOMEM, "cannot read the header of '%s'", j->path);
    ssize_t n = rc ? 0 : pread(j->fd, had, 64 * 1024 - 1, 0);
    char *stop = n > 0 ? strstr(had, "\nend\n") : NULL;
    if (!rc && (n < (ssize_t)strlen(SJ_FIRST) || memcmp(had, SJ_FIRST, strlen(SJ_FIRST)) ||
                !stop))
        rc = ts_err_set(err, TS_EFORMAT, "cannot resume: '%s' is not a sweep journal (no "
                        "header)", j->path);
    if (!rc) {
        stop[5] = 0;
        j->end = (uint64_t)(stop + 5 - had);
        rc = sj_differs(had, want, id->source, j->path, err);
    }
    free(want);
    ts_free(had);
    /* the records: the first one cut short or damaged ends the journal */
    for (uint64_t at = j->end; rc == 0; at = j->end) {
        sj_head_t hd;
        void *image;
        size_t size;
        if (sj_record(j, at, (uint64_t)st.st_size, &hd, &image, &size) != 0)
            break;
        ts_free(image);
        size_t i = (hd.point - j->s->shard) / j->s->n_shards;
        if (!j->off[i])
            j->off[i] = at + 1;
        j->end = at + sizeof(hd) + hd.zsize;
    }
    if (rc == 0 && j->end < (uint64_t)st.st_size &&
        (ftruncate(j->fd, (off_t)j->end) != 0 || fsync(j->fd) != 0))
        rc = ts_err_sys(err, TS_EIO, errno, "cannot cut the damaged end off '%s'", j->path);
    if (rc) {
        ts_sweep_journal_close(j);
        return rc;
    }
    *out = j;
    return 0;
}

bool ts_sweep_journal_has(const ts_sweep_journal_t *j, size_t i)
{
    return j && i < j->s->n_runs && j->off[i];
}

static int sj_add_image(ts_sweep_journal_t *j, size_t i, const void *image, size_t size,
                        bool is_synced, ts_err_t *err);

void ts_sweep_journal_hold_hdf5(ts_sweep_journal_t *j)
{
    pthread_mutex_lock(&j->h5);
}

void ts_sweep_journal_release_hdf5(ts_sweep_journal_t *j)
{
    pthread_mutex_unlock(&j->h5);
}

int ts_sweep_journal_add(ts_sweep_journal_t *j, size_t i, const ts_result_t *res,
                         ts_err_t *err)
{
    void *image = NULL;
    size_t size = 0;
    ts_sweep_journal_hold_hdf5(j);
    int rc = ts_report_h5_bytes(res, &image, &size, err);
    ts_sweep_journal_release_hdf5(j);
    if (rc)
        return rc;
    rc = sj_add_image(j, i, image, size, true, err);
    ts_free(image);
    return rc;
}

/* Makes the journal durable up to byte upto at least. One fdatasync covers every record
 * written before it starts, so the threads that finish points while it runs share the
 * next one (group commit) rather than queueing one each. Returns 0 or an errno. */
static int sj_sync_upto(ts_sweep_journal_t *j, uint64_t upto)
{
    int e = 0;
#pragma omp critical(ts_sweep_journal_sync)
    if (j->synced < upto) {
        uint64_t end;
#pragma omp critical(ts_sweep_journal)
        end = j->end; /* every record below it is written */
        if (fdatasync(j->fd) != 0)
            e = errno;
        else
            j->synced = end;
    }
    return e;
}

/* Appends point i's results file (size bytes at image) as a record, made durable when
 * is_synced (else by a later sj_sync_upto). */
static int sj_add_image(ts_sweep_journal_t *j, size_t i, const void *image, size_t size,
                        bool is_synced, ts_err_t *err)
{
    size_t cap = ZSTD_compressBound(size);
    char *rec = ts_malloc(sizeof(sj_head_t) + cap);
    ZSTD_CCtx *cx = ZSTD_createCCtx();
    size_t z = 0;
    if (rec && cx && !ZSTD_isError(ZSTD_CCtx_setParameter(cx, ZSTD_c_checksumFlag, 1)) &&
        !ZSTD_isError(ZSTD_CCtx_setParameter(cx, ZSTD_c_compressionLevel, SJ_ZSTD_LEVEL)))
        z = ZSTD_compress2(cx, rec + sizeof(sj_head_t), cap, image, size);
    ZSTD_freeCCtx(cx);
    if (!rec || !z || ZSTD_isError(z)) {
        ts_free(rec);
        return ts_err_set(err, TS_ENOMEM, "cannot compress point %zu for '%s'",
                          ts_sweep_point(j->s, i), j->path);
    }
    sj_head_t hd = {.point = ts_sweep_point(j->s, i), .zsize = z, .size = size};
    memcpy(hd.magic, SJ_MAGIC, 8);
    memcpy(rec, &hd, sizeof(hd));
    int e = 0;
    uint64_t upto = 0;
#pragma omp critical(ts_sweep_journal)
    {
        e = sj_write_all(j->fd, rec, sizeof(hd) + z, j->end);
        if (!e) {
            j->off[i] = j->end + 1;
            j->end += sizeof(hd) + z;
            upto = j->end;
            if (!j->is_scratch) { /* it holds a point now: kept whatever happens */
                ts_io_live_drop(j->live);
                j->live = 0;
            }
        }
    }
    ts_free(rec);
    if (!e && is_synced)
        e = sj_sync_upto(j, upto);
    if (e)
        return ts_err_sys(err, ts_io_code(e), e, "'%s': cannot record point %zu",
                          j->path, hd.point);
    return 0;
}

int ts_sweep_journal_read(ts_sweep_journal_t *j, size_t i, ts_result_t *res, ts_err_t *err)
{
    *res = (ts_result_t){0};
    if (!ts_sweep_journal_has(j, i))
        return ts_err_set(err, TS_ERANGE, "'%s' has no record of point %zu", j->path,
                          ts_sweep_point(j->s, i));
    sj_head_t hd;
    void *image;
    size_t size;
    if (sj_record(j, j->off[i] - 1, j->end, &hd, &image, &size) != 0)
        return ts_err_set(err, TS_EFORMAT, "'%s': the record of point %zu is damaged",
                          j->path, ts_sweep_point(j->s, i));
    char name[PATH_MAX + 32];
    snprintf(name, sizeof(name), "%s#%zu", j->path, ts_sweep_point(j->s, i));
    ts_result_h5_t *f = NULL;
    int rc = ts_result_h5_open_image(image, size, name, &f, err);
    if (rc == 0)
        rc = ts_result_h5_read(f, 0, res, err);
    ts_result_h5_close(f);
    ts_free(image);
    return rc;
}

void ts_sweep_journal_remove(ts_sweep_journal_t *j)
{
    struct stat mine, there;
    /* only this journal: a sweep beside this one may have put its own there */
    if (j && j->fd >= 0 && fstat(j->fd, &mine) == 0 && lstat(j->path, &there) == 0 &&
        mine.st_ino == there.st_ino && mine.st_dev == there.st_dev && unlink(j->path) == 0)
        sj_sync_dir(j->dir);
}

void ts_sweep_journal_close(ts_sweep_journal_t *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    ts_io_live_drop(j->live);
    pthread_mutex_destroy(&j->h5);
    ts_free(j->off);
    ts_free(j);
}

/* Whether name is a rank's journal: TS_SWEEP_JOURNAL "." and digits. */
static bool sj_is_rank_journal(const char *name)
{
    size_t k = strlen(TS_SWEEP_JOURNAL);
    if (strncmp(name, TS_SWEEP_JOURNAL ".", k + 1) != 0 || !name[k + 1])
        return false;
    for (const char *p = name + k + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

int ts_sweep_journal_absorb(ts_sweep_journal_t *j, const ts_sweep_journal_id_t *id,
                            ts_err_t *err)
{
    DIR *d = opendir(j->dir);
    if (!d)
        return ts_err_sys(err, TS_EIO, errno, "'%s': cannot list the sweep's journals", j->dir);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (!sj_is_rank_journal(e->d_name))
            continue;
        ts_sweep_journal_t *r = NULL;
        rc = ts_sweep_journal_resume_as(j->dir, e->d_name, id, &r, err);
        for (size_t i = 0; rc == 0 && i < j->s->n_runs; i++) {
            if (!ts_sweep_journal_has(r, i) || ts_sweep_journal_has(j, i))
                continue;
            sj_head_t hd; /* the record's bytes move as they are */
            void *image;
            size_t size;
            if (sj_record(r, r->off[i] - 1, r->end, &hd, &image, &size) != 0) {
                rc = ts_err_set(err, TS_EFORMAT, "'%s': the record of point %zu is damaged",
                                r->path, ts_sweep_point(r->s, i));
                break;
            }
            rc = sj_add_image(j, i, image, size, false, err);
            ts_free(image);
        }
        /* one fdatasync for all its records, before its file goes */
        int sync_errno = rc == 0 ? sj_sync_upto(j, j->end) : 0;
        if (sync_errno)
            rc = ts_err_sys(err, ts_io_code(sync_errno), sync_errno,
                            "'%s': cannot record the points of '%s'", j->path, r->path);
        if (rc == 0)
            ts_sweep_journal_remove(r); /* its records are in j now, made durable */
        ts_sweep_journal_close(r);
    }
    closedir(d);
    return rc;
}

int ts_sweep_journal_clear_ranks(const char *dir, ts_err_t *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0
                               : ts_err_sys(err, TS_EIO, errno,
                                            "'%s': cannot list the sweep's journals", dir);
    int fd = dirfd(d), rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        struct stat st;
        if (sj_is_rank_journal(e->d_name) &&
            fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            unlinkat(fd, e->d_name, 0) != 0)
            rc = ts_err_sys(err, TS_EIO, errno, "'%s/%s': cannot remove an old rank's journal",
                            dir, e->d_name);
    }
    closedir(d);
    return rc;
}
