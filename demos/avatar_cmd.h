/* SPDX-License-Identifier: Apache-2.0 */
/* avatar_cmd.h: the `shuzi avatar` command. */
#ifndef SZ_DEMOS_AVATAR_CMD_H
#define SZ_DEMOS_AVATAR_CMD_H

int cmd_avatar(int argc, char **argv, int (*fail)(int code, const char *fmt, ...));

#endif
