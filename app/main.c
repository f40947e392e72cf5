/* SPDX-License-Identifier: MIT */
/*
 * main.c - the tiersim executable: hands the command line to the CLI in libtiersim, then
 * closes standard output (ts_cli_exit).
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return ts_cli_exit(ts_cli_main(argc, argv));
}
