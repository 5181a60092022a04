/* SPDX-License-Identifier: Apache-2.0 */
/* avatar_cmd.c: `shuzi avatar create`: a photo avatar folder from a
 * portrait (avatar/photo/photo_create.h). */
#include <stdio.h>
#include <string.h>

#include "avatar/photo/photo_create.h"
#include "demos/avatar_cmd.h"
#include "shuzi.h"

static void usage_avatar(FILE *f)
{
    fprintf(
        f,
        "Usage: shuzi avatar create --photo PATH -o DIR [OPTIONS]\n"
        "\n"
        "Makes a photo avatar from a frontal portrait (JPEG or PNG): DIR gets\n"
        "portrait.png and avatar.json (landmarks, contours and the mesh). Use it with\n"
        "--avatar DIR, or put DIR under assets/avatars/ to list it by name. A PNG with\n"
        "transparency keeps the scene's background behind the person.\n"
        "\n"
        "Options:\n"
        "      --photo PATH          the portrait\n"
        "  -o, --output DIR          the avatar folder to create (must not exist)\n"
        "      --landmarks FILE      hand-placed points: a 189-point Psychomorph .tem, or\n"
        "                            JSON {\"eye_left\": [x, y], \"eye_right\", \"mouth_left\",\n"
        "                            \"mouth_right\", \"lip_top\", \"lip_bottom\", \"chin\"} in "
        "the\n"
        "                            photo's pixels (left/right as seen; eyes: pupils)\n"
        "      --landmarks-out FILE  also write the seven points as that JSON\n"
        "      --name NAME           the avatar's name (default: DIR's name)\n"
        "  -h, --help                this help\n"
        "\n"
        "A photo is refused, with one line saying why, when it is not an image, or the\n"
        "face is missing, too small (under 40 pixels between the pupils), tilted or\n"
        "turned. Build a commercial host from a portrait you hold the rights to.\n");
}

int cmd_avatar(int argc, char **argv, int (*fail)(int code, const char *fmt, ...))
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage_avatar(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "create") != 0)
        return fail(2, "avatar: unknown subcommand '%s' (see 'shuzi avatar --help')", argv[1]);
    photo_create_params p = {0};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage_avatar(stdout);
            return 0;
        }
        const char **dst = strcmp(a, "--photo") == 0                              ? &p.photo
                           : (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) ? &p.out_dir
                           : strcmp(a, "--landmarks") == 0                        ? &p.landmarks
                           : strcmp(a, "--landmarks-out") == 0                    ? &p.landmarks_out
                           : strcmp(a, "--name") == 0                             ? &p.name
                                                                                  : NULL;
        if (!dst)
            return fail(2, "avatar create: unknown option '%s'", a);
        if (!v)
            return fail(2, "avatar create: %s needs a value", a);
        *dst = v;
        i++;
    }
    if (!p.photo || !p.out_dir)
        return fail(2, "avatar create: --photo PATH and -o DIR are required");
    char err[512] = "";
    int rc = photo_avatar_create(&p, err, sizeof err);
    if (rc != SZ_OK)
        return fail(1, "avatar create: %s", err[0] ? err : sz_strerror(rc));
    printf("avatar: %s is ready (use it with --avatar %s)\n", p.out_dir, p.out_dir);
    return 0;
}
