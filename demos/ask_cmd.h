/* SPDX-License-Identifier: Apache-2.0 */
/* ask_cmd.h: the `shuzi ask` command. */
#ifndef SZ_DEMOS_ASK_CMD_H
#define SZ_DEMOS_ASK_CMD_H

#include <stdio.h>

void usage_ask(FILE *f);
int cmd_ask(int argc, char **argv, int (*fail)(int code, const char *fmt, ...));

#endif
