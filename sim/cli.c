/* SPDX-License-Identifier: MIT */
#include "cli.h"

#include <stdio.h>

int ts_cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tiersim: error: no verbs yet\n");
    return 1;
}
