/* SPDX-License-Identifier: MIT */
/*
 * cli_signals.c - what the command line does when it is interrupted: SIGINT, SIGTERM or
 * SIGHUP removes every temporary file and scratch directory the process has (the live
 * table of sim/util/io.h), prints one line on stderr ("tiersim: interrupted (SIGINT);
 * nothing written to out.bin") and exits 128 + the signal's number (130, 143, 129).
 *
 * The handler calls async-signal-safe functions only (the live table's removal, write,
 * _exit) and builds its line in a buffer on its own stack. A signal that arrives while a
 * file is being renamed into place is put off until the rename is done
 * (ts_io_signal_defer), so a file is either there complete or not at all, and the line
 * tells the truth. A signal the process inherited as ignored (nohup) stays ignored.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "../sim/util/io.h"
#include "cli_internal.h"

/* Appends s to buf[*n..size) (cut when full; the line stays one line). */
static void sig_put(char *buf, size_t size, size_t *n, const char *s)
{
    for (; *s && *n + 1 < size; s++)
        buf[(*n)++] = *s == '\n' ? ' ' : *s;
}

/* Appends v in decimal. */
static void sig_put_num(char *buf, size_t size, size_t *n, size_t v)
{
    char d[24];
    size_t k = sizeof(d);
    d[--k] = 0;
    do
        d[--k] = (char)('0' + v % 10);
    while ((v /= 10) && k > 0);
    sig_put(buf, size, n, d + k);
}

static volatile sig_atomic_t *g_soft; /* a live run's stop flag (ts__cli_signals_soft) */

static void cli_on_signal(int sig)
{
    if (g_soft && !*g_soft) { /* the first signal asks a live run to stop */
        *g_soft = sig;
        static const char msg[] = "tiersim: stopping: the requests in flight finish, then the "
                                  "partial report is written (again to quit at once)\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)w;
        return;
    }
    if (ts_io_signal_defer(sig))
        return;
    const char *first = NULL;
    size_t others = 0;
    ts_io_live_remove_all(&first, &others);
    char line[TS_IO_LIVE_TARGET_MAX + 128];
    size_t n = 0;
    sig_put(line, sizeof(line), &n, "tiersim: interrupted (");
    sig_put(line, sizeof(line), &n,
            sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
    sig_put(line, sizeof(line), &n, ")");
    if (first) {
        sig_put(line, sizeof(line), &n, "; nothing written to ");
        sig_put(line, sizeof(line), &n, first);
        if (others) {
            sig_put(line, sizeof(line), &n, " and ");
            sig_put_num(line, sizeof(line), &n, others);
            sig_put(line, sizeof(line), &n, others == 1 ? " other file" : " other files");
        }
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
    _exit(128 + sig);
}

void ts__cli_signals_soft(volatile sig_atomic_t *flag)
{
    g_soft = flag;
}

void ts__cli_signals_install(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = cli_on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&sa.sa_mask, sigs[i]); /* one handler at a time */
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}
