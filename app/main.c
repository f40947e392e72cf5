/* SPDX-License-Identifier: MIT */
/*
 * main.c - the tiersim executable: starts MPI when mpirun launched it (ranks.h), hands the
 * command line to the CLI in libtiersim, then closes standard output (ts_cli_exit). Under
 * several MPI ranks only `sweep` runs, and only rank 0 writes to the terminal: the other
 * ranks' results reach rank 0's files, and their errors rank 0's message.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ranks.h"

int main(int argc, char **argv)
{
    ts_err_t err = {0};
    if (ts_mpi_start(&argc, &argv, &err)) {
        fprintf(stderr, "tiersim: error: %s\n", err.msg);
        return 1;
    }
    if (ts_mpi_rank() != 0 && (!freopen("/dev/null", "w", stdout) ||
                               !freopen("/dev/null", "w", stderr)))
        return 1;
    int rc;
    if (ts_mpi_size() > 1 && (argc < 2 || strcmp(argv[1], "sweep") != 0)) {
        fprintf(stderr, "tiersim: error: only `tiersim sweep` runs across MPI ranks (%d ranks "
                        "here); run the other verbs without mpirun\n",
                ts_mpi_size());
        rc = 2;
    } else {
        rc = ts_cli_main(argc, argv);
    }
    rc = ts_cli_exit(rc);
    ts_mpi_stop();
    return rc;
}
