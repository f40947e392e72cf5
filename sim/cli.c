/* SPDX-License-Identifier: MIT */
/*
 * cli.c - command-line verbs (placeholder until the verbs land).
 */
#include "cli.h"

#include <stdio.h>

int ts_cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tiersim: error: no verbs yet\n");
    return 1;
}
