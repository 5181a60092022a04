/* SPDX-License-Identifier: Apache-2.0 */
/* test_rig.c: the 2D rig loader (avatar/rig.h): SVG path data, a minimal
 * valid rig, many malformed rigs (each must fail with a message naming the
 * field), morph structure checks, controls, and the shipped avatars. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar/avatar.h"
#include "avatar/rig.h"
#include "shuzi.h"

#include "check.h"

static void test_paths(void)
{
    static const struct {
        const char *d;
        const char *ops;
        int n_vals;
    } ok[] = {
        {"M0 0 L10 0 Z", "MLZ", 4},
        {"m 1,2 l 3 4", "ML", 4},
        {"M0 0 10 0 10 10", "MLL", 6}, /* implicit lines after M */
        {"M0 0H5V5h-5v-5z", "MLLLLZ", 10},
        {"M0 0C1 1 2 2 3 3S5 5 6 6", "MCC", 14},
        {"M0 0Q5 5 10 0T20 0", "MCC", 14},
        {"M-1.5e1 .5 l+2-3", "ML", 4},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        rig_shape s = {0};
        char err[256] = "";
        int rc = rig_parse_path(ok[i].d, &s, err, sizeof err);
        CHECK(rc == SZ_OK, "path '%s': %s", ok[i].d, err);
        if (rc != SZ_OK)
            continue;
        char ops[64] = "";
        for (int k = 0; k < s.n_ops && k < 63; k++)
            ops[k] = (char)s.ops[k];
        CHECK(strcmp(ops, ok[i].ops) == 0, "path '%s': ops %s, want %s", ok[i].d, ops, ok[i].ops);
        CHECK(s.n_vals == ok[i].n_vals, "path '%s': %d numbers, want %d", ok[i].d, s.n_vals,
              ok[i].n_vals);
        free(s.ops);
        free(s.vals);
    }
    /* relative coordinates and the quadratic conversion, by value */
    rig_shape s = {0};
    char err[256];
    CHECK(rig_parse_path("M10 10 l5 0 q5 5 10 0", &s, err, sizeof err) == SZ_OK, "%s", err);
    if (s.vals) {
        CHECK(s.vals[2] == 15 && s.vals[3] == 10, "l is relative: %g %g", s.vals[2], s.vals[3]);
        /* Q control (20,15) from (15,10) to (25,10): cubic controls at 2/3 */
        CHECK(fabsf(s.vals[4] - (15 + 2.0f / 3 * 5)) < 1e-4f && fabsf(s.vals[9] - 10) < 1e-4f,
              "quadratic to cubic: %g .. %g", s.vals[4], s.vals[9]);
    }
    free(s.ops);
    free(s.vals);

    static const struct {
        const char *d, *want;
    } bad[] = {
        {"", "empty path"},
        {"L0 0", "must start with M"},
        {"0 0", "expected a command"},
        {"M0", "at character 3: expected a number"},
        {"M0 0 L1", "expected a number"},
        {"M0 0 A1 1 0 0 0 5 5", "arcs (A) are not supported"},
        {"M0 0 X1", "unknown command"},
        {"M0 0 Z 5", "expected a command after Z"},
        {"M0 0 L1e999 0", "expected a number"},
        {"M0 0 L 1 -", "expected a number"},
        {"M0 0 L 1 2,,3 4", "expected a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rig_shape t = {0};
        char e[256] = "";
        int rc = rig_parse_path(bad[i].d, &t, e, sizeof e);
        CHECK(rc == SZ_ERR_FORMAT && strstr(e, bad[i].want), "path '%s': rc %d, '%s' (want '%s')",
              bad[i].d, rc, e, bad[i].want);
        CHECK(t.ops == NULL && t.vals == NULL, "path '%s': shape not left empty", bad[i].d);
    }
}

#define HEAD "{\"format\":\"shuzi-rig-2d\",\"version\":1,\"name\":\"t\",\"canvas\":[100,100],"

static const char *const good_rig =
    HEAD "\"paints\":{\"skin\":\"#ffccaa\",\"g\":{\"linear\":[0,0,0,10],"
         "\"stops\":[[0,\"#000000\"],[1,\"#ffffff80\"]]}},"
         "\"groups\":[{\"name\":\"body\",\"drive\":[{\"control\":\"breath\",\"translate\":[0,-2]}]},"
         "{\"name\":\"head\",\"parent\":\"body\",\"anchor\":[50,40],\"pivot\":[0,10],"
         "\"drive\":[{\"control\":\"head_roll\",\"rotate\":1}]}],"
         "\"parts\":[{\"name\":\"torso\",\"group\":\"body\",\"rect\":[20,60,60,60,8],\"fill\":\"g\"},"
         "{\"name\":\"face\",\"group\":\"head\",\"circle\":[0,0,20],\"fill\":\"skin\","
         "\"stroke\":\"#000000\",\"stroke_width\":2},"
         "{\"name\":\"mouth\",\"group\":\"head\",\"path\":\"M-5 8 C-2 8 2 8 5 8 C2 8 -2 8 -5 8 Z\","
         "\"fill\":\"#400000\",\"morphs\":[{\"control\":\"mouth_open\","
         "\"path\":\"M-5 8 C-2 6 2 6 5 8 C2 14 -2 14 -5 8 Z\"},{\"control\":\"happy\","
         "\"unless\":\"blink\",\"range\":[0,0.5],\"path\":\"M-6 7 C-2 8 2 8 6 7 C2 8 -2 8 -6 7 Z\"}]},"
         "{\"name\":\"teeth\",\"group\":\"head\",\"clip\":\"mouth\",\"rect\":[-4,6,8,3],"
         "\"fill\":\"#ffffff\",\"opacity\":0,\"drive\":[{\"control\":\"mouth_open\","
         "\"clamp\":[0,0.2],\"gain\":5,\"opacity\":1}]}]}";

static void test_good(void)
{
    avatar_rig *r = NULL;
    char err[512] = "";
    int rc = rig_load_text(good_rig, strlen(good_rig), "t.json", &r, err, sizeof err);
    CHECK(rc == SZ_OK && r, "good rig rejected: %s", err);
    if (!r)
        return;
    CHECK(r->n_groups == 2 && r->n_parts == 4, "groups %d parts %d", r->n_groups, r->n_parts);
    CHECK(r->groups[1].parent == 0, "head's parent %d", r->groups[1].parent);
    CHECK(r->parts[3].clip == 2, "teeth clip %d", r->parts[3].clip);
    CHECK(r->parts[2].n_morphs == 2 && r->parts[2].morphs[0].delta[3] == -2.0f,
          "morph delta %g", r->parts[2].n_morphs ? r->parts[2].morphs[0].delta[3] : 0.0f);
    CHECK(r->parts[1].shape.kind == RIG_SHAPE_ELLIPSE && r->parts[1].shape.vals[3] == 20.0f,
          "circle becomes an ellipse with ry = r");
    CHECK(r->paints[r->parts[1].stroke].rgba[3] == 1.0f, "inline colour alpha");
    CHECK(fabsf(r->paints[1].stops[1][4] - 128.0f / 255.0f) < 1e-6f, "stop alpha");

    /* inputs: range, clamp and gain, unless */
    float c[RIG_C_COUNT];
    sz_face f;
    memset(&f, 0, sizeof f);
    f.expression[EXPR_HAPPY] = 0.25f;
    f.jaw_open = 0.5f;
    f.blink = 0.5f;
    rig_controls_from_face(&f, c);
    CHECK(fabsf(rig_input_value(&r->parts[2].morphs[1].in, c) - 0.25f) < 1e-6f,
          "range [0,0.5] of 0.25 with unless blink 0.5: %g",
          rig_input_value(&r->parts[2].morphs[1].in, c));
    CHECK(fabsf(rig_input_value(&r->parts[3].drives[0].in, c) - 1.0f) < 1e-6f,
          "clamp [0,0.2] gain 5 of 0.5: %g", rig_input_value(&r->parts[3].drives[0].in, c));
    rig_free(&r);
    CHECK(r == NULL, "rig_free did not clear the pointer");
    rig_free(&r);
    rig_free(NULL);
}

static void test_controls(void)
{
    float c[RIG_C_COUNT];
    sz_face f;
    memset(&f, 0, sizeof f);
    f.jaw_open = 0.8f;
    f.lip_close = 0.5f;
    f.teeth_lip = NAN;
    f.head_yaw = 2.0f;
    f.gaze_x = -3.0f;
    f.viseme[VIS_OU] = 1.0f;
    rig_controls_from_face(&f, c);
    CHECK(fabsf(c[RIG_C_MOUTH_OPEN] - 0.4f) < 1e-6f, "mouth_open %g", c[RIG_C_MOUTH_OPEN]);
    CHECK(c[RIG_C_TEETH_LIP] == 0.0f, "NaN reads as 0");
    CHECK(c[RIG_C_HEAD_YAW] == 0.35f && c[RIG_C_GAZE_X] == -1.0f, "clamping");
    CHECK(c[RIG_C_VISEME0 + VIS_OU] == 1.0f, "viseme control");
    rig_controls_from_face(NULL, c);
    for (int i = 0; i < RIG_C_COUNT; i++)
        CHECK(c[i] == 0.0f, "neutral control %s = %g", rig_control_name(i), c[i]);
    CHECK(rig_control_find("viseme_PP") == RIG_C_VISEME0 + VIS_PP, "viseme_PP");
    CHECK(rig_control_find("nope") == -1 && rig_control_name(RIG_C_COUNT) == NULL, "unknowns");
}

/* Each malformed rig must be rejected with a message holding want. */
static void test_bad(void)
{
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"", "empty JSON document"},
        {"{", "invalid JSON"},
        {"[]", "expected an object"},
        {"{\"format\":\"x\"}", "format: 'x' is not \"shuzi-rig-2d\""},
        {"{\"version\":1}", "format: is required"},
        {"{\"format\":\"shuzi-rig-2d\",\"version\":2}", "version: 2 is not supported"},
        {"{\"format\":\"shuzi-rig-2d\",\"version\":1.5}", "version: expected an integer"},
        {"{\"format\":\"shuzi-rig-2d\",\"version\":1,\"name\":\"a b\"}", "name: 'a b' is not a name"},
        {"{\"format\":\"shuzi-rig-2d\",\"version\":1,\"name\":\"t\",\"extra\":1}",
         "extra: unknown key"},
        {"{\"format\":\"shuzi-rig-2d\",\"version\":1,\"name\":\"t\"}", "canvas: is required"},
        {HEAD "\"description\":5}", "description: expected a string"},
        {"{\"format\":\"shuzi-rig-2d\",\"version\":1,\"name\":\"t\",\"canvas\":[100]}",
         "canvas: expected [width, height]"},
        {"{\"format\":\"shuzi-rig-2d\",\"version\":1,\"name\":\"t\",\"canvas\":[1,1]}",
         "canvas: width and height must be 16 to 16384"},
        {HEAD "\"parts\":[]}", "parts: expected an array of 1 to 512 parts"},
        {HEAD "\"parts\":{}}", "parts: expected an array"},
        {HEAD "\"paints\":[]}", "paints: expected an object"},
        {HEAD "\"paints\":{\"a\":\"red\"}}", "paints.a: 'red' is not a colour"},
        {HEAD "\"paints\":{\"a\":\"#12345\"}}", "paints.a: '#12345' is not a colour"},
        {HEAD "\"paints\":{\"a\":{\"linear\":[0,0,1]}}}", "paints.a.linear: expected [x0, y0, x1, y1]"},
        {HEAD "\"paints\":{\"a\":{\"radial\":[0,0,-1,0,0,1],\"stops\":[]}}}",
         "paints.a.radial: radii must not be negative"},
        {HEAD "\"paints\":{\"a\":{\"linear\":[0,0,0,1],\"radial\":[0,0,0,0,0,1]}}}",
         "exactly one of \"linear\" or \"radial\""},
        {HEAD "\"paints\":{\"a\":{\"linear\":[0,0,0,1],\"stops\":[[0,\"#000000\"]]}}}",
         "paints.a.stops: expected 2 to 16 stops"},
        {HEAD "\"paints\":{\"a\":{\"linear\":[0,0,0,1],\"stops\":[[0.5,\"#000000\"],[0.2,\"#ffffff\"]]}}}",
         "paints.a.stops[1]: offset 0.2 must be in 0..1 and not below the previous one"},
        {HEAD "\"paints\":{\"a\":{\"linear\":[0,0,0,1],\"stops\":[[0,\"#000000\"],[1,3]]}}}",
         "paints.a.stops[1]: expected [offset, \"#rrggbb\"]"},
        {HEAD "\"paints\":{\"a\":{\"linear\":[0,0,0,1],\"stops\":[[0,\"#000000\"],[1,\"#zzzzzz\"]]}}}",
         "paints.a.stops[1]: '#zzzzzz' is not a colour"},
        {HEAD "\"paints\":{\"a\":{\"conic\":1}}}", "paints.a.conic: unknown key"},
        {HEAD "\"groups\":{}}", "groups: expected an array"},
        {HEAD "\"groups\":[{\"anchor\":[0,0]}]}", "groups[0].name: is required"},
        {HEAD "\"groups\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", "groups[1].name: 'a' is used"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"parent\":\"b\"}]}",
         "groups[0].parent: no earlier group named 'b'"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"parent\":\"a\"}]}",
         "groups[0].parent: no earlier group named 'a'"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"anchor\":[0]}]}", "groups[0].anchor: expected [x, y]"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"pivot\":\"x\"}]}", "groups[0].pivot: expected [x, y]"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":{}}]}", "groups[0].drive: expected an array"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"nod\",\"rotate\":1}]}]}",
         "groups[0].drive[0].control: unknown control 'nod'"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"blink\"}]}]}",
         "groups[0].drive[0]: expected at least one of translate"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"blink\",\"opacity\":1}]}]}",
         "groups[0].drive[0].opacity: groups have no opacity"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"blink\",\"rotate\":1,"
              "\"range\":[1,0]}]}]}",
         "groups[0].drive[0].range: high must be above low"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"blink\",\"rotate\":1,"
              "\"range\":[0,1],\"clamp\":[0,1]}]}]}",
         "\"range\" and \"clamp\" exclude each other"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"blink\",\"rotate\":1,"
              "\"unless\":\"x\"}]}]}",
         "groups[0].drive[0].unless: expected a control name"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"blink\",\"translate\":[1,2,3]}]}]}",
         "groups[0].drive[0].translate: expected [x, y]"},
        {HEAD "\"groups\":[{\"name\":\"a\",\"drive\":[{\"control\":\"blink\",\"rotate\":1000}]}]}",
         "groups[0].drive[0].rotate: 1000 is out of range"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"circle\":[0,0,1]}]}", "parts[0]: needs a \"fill\" or a \"stroke\""},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\"}]}", "parts[0]: expected exactly one shape"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"rect\":[0,0,1,1]}]}",
         "parts[0]: expected exactly one shape"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0]}]}",
         "parts[0].circle: expected [cx, cy, r]"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"ellipse\":[0,0,-1,1]}]}",
         "parts[0].ellipse: sizes must not be negative"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"rect\":[0,0,1]}]}",
         "parts[0].rect: expected [x, y, width, height]"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":\"M0 0 A 1 1\"}]}",
         "parts[0].path: at character 6: arcs (A) are not supported"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":7}]}",
         "parts[0].path: expected SVG path data"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1e9]}]}",
         "parts[0].circle: expected [cx, cy, r]"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1]},"
              "{\"name\":\"b\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"anchor\":[1,\"2\"]}]}",
         "parts[1].anchor: expected [x, y]"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1]},"
              "{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1]}]}",
         "parts[1].name: 'a' is used by an earlier part"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"group\":\"g\",\"fill\":\"#000000\",\"circle\":[0,0,1]}]}",
         "parts[0].group: no group named 'g'"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"skin\",\"circle\":[0,0,1]}]}",
         "parts[0].fill: no paint named 'skin'"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":3,\"circle\":[0,0,1]}]}",
         "parts[0].fill: expected a paint name"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"stroke\":\"#000\",\"circle\":[0,0,1]}]}",
         "parts[0].stroke: '#000' is not a colour"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"opacity\":2}]}",
         "parts[0].opacity: 2 is out of range [0, 1]"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"stroke_width\":-1}]}",
         "parts[0].stroke_width: -1 is out of range"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"stroke\":\"#000000\",\"circle\":[0,0,1],\"line_cap\":\"flat\"}]}",
         "parts[0].line_cap: expected \"butt\", \"round\" or \"square\""},
        {HEAD "\"parts\":[{\"name\":\"a\",\"stroke\":\"#000000\",\"circle\":[0,0,1],\"line_join\":1}]}",
         "parts[0].line_join: expected \"miter\", \"round\" or \"bevel\""},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"clip\":\"b\"},"
              "{\"name\":\"b\",\"fill\":\"#000000\",\"circle\":[0,0,1]}]}",
         "parts[0].clip: no earlier part named 'b'"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1]},"
              "{\"name\":\"b\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"clip\":\"a\"},"
              "{\"name\":\"c\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"clip\":\"b\"}]}",
         "parts[2].clip: part 'b' is itself clipped"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":\"M0 0 L1 1\","
              "\"morphs\":[{\"control\":\"blink\",\"path\":\"M0 0 C1 1 1 1 1 1\"}]}]}",
         "parts[0].morphs[0].path: does not match the part's shape: command 2 is C here and L"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":\"M0 0 L1 1\","
              "\"morphs\":[{\"control\":\"blink\",\"path\":\"M0 0 L1 1 L2 2\"}]}]}",
         "parts[0].morphs[0].path: does not match the part's shape: command 3 is L here and -"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":\"M0 0 L1 1\","
              "\"morphs\":[{\"control\":\"blink\",\"circle\":[0,0,1]}]}]}",
         "parts[0].morphs[0]: expected the target shape under \"path\""},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":\"M0 0 L1 1\","
              "\"morphs\":[{\"path\":\"M0 0 L1 1\"}]}]}",
         "parts[0].morphs[0].control: is required"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":\"M0 0 L1 1\","
              "\"morphs\":[{\"control\":\"blink\",\"path\":\"M0 0 L1 1\",\"weight\":1}]}]}",
         "parts[0].morphs[0].weight: unknown key"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"path\":\"M0 0 L1 1\","
              "\"morphs\":[{\"control\":\"blink\",\"path\":\"M0 0 L1\"}]}]}",
         "parts[0].morphs[0].path: at character 8: expected a number"},
        {HEAD "\"parts\":[{\"name\":\"a\",\"fill\":\"#000000\",\"circle\":[0,0,1],"
              "\"drive\":[{\"control\":\"gaze_x\",\"gain\":\"2\",\"translate\":[1,0]}]}]}",
         "parts[0].drive[0].gain: expected a number"},
        {HEAD "\"parts\":[{\"name\":\"\",\"fill\":\"#000000\",\"circle\":[0,0,1]}]}",
         "parts[0].name: '' is not a name"},
        {HEAD "\"parts\":[{\"name\":\"x\",\"fill\":\"#000000\",\"circle\":[0,0,1],\"z\":3}]}",
         "parts[0].z: unknown key"},
        {HEAD "\"parts\":[7]}", "parts[0]: expected an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        avatar_rig *r = (avatar_rig *)&check_failures; /* must be reset to NULL */
        char err[512] = "";
        int rc = rig_load_text(bad[i].json, strlen(bad[i].json), "bad.json", &r, err, sizeof err);
        CHECK(rc == SZ_ERR_FORMAT && r == NULL, "case %zu: rc %d (want a format error)", i, rc);
        CHECK(strstr(err, bad[i].want) != NULL, "case %zu: message '%s', want '%s'", i, err,
              bad[i].want);
        CHECK(strncmp(err, "bad.json", 8) == 0, "case %zu: message '%s' does not name the file", i,
              err);
    }
    printf("rig: %zu malformed rigs rejected\n", sizeof bad / sizeof bad[0]);

    /* every prefix of a valid rig fails cleanly (or, at its full length, loads) */
    size_t n = strlen(good_rig);
    for (size_t k = 0; k < n; k += 7) {
        avatar_rig *r = NULL;
        char err[512];
        int rc = rig_load_text(good_rig, k, "cut.json", &r, err, sizeof err);
        CHECK(rc == SZ_ERR_FORMAT && r == NULL, "prefix %zu accepted", k);
    }
}

static int count_avatar(const avatar_info *a, void *user)
{
    int *n = user;
    if (strcmp(a->name, "presenter") == 0)
        n[0]++;
    if (strcmp(a->name, "panda") == 0)
        n[1]++;
    return 0;
}

static void test_shipped(void)
{
    const char *names[] = {"presenter", "panda"};
    for (int i = 0; i < 2; i++) {
        char path[1200], err[512] = "";
        int rc = avatar_resolve(NULL, names[i], path, sizeof path, err, sizeof err);
        CHECK(rc == SZ_OK, "resolve %s: %s", names[i], err);
        avatar_rig *r = NULL;
        rc = rig_load_file(path, &r, err, sizeof err);
        CHECK(rc == SZ_OK, "%s: %s", names[i], err);
        if (!r)
            continue;
        CHECK(strcmp(r->name, names[i]) == 0, "%s: name '%s'", names[i], r->name);
        int has[RIG_C_COUNT] = {0};
        for (int p = 0; p < r->n_parts; p++) {
            for (int k = 0; k < r->parts[p].n_morphs; k++)
                has[r->parts[p].morphs[k].in.control] = 1;
            for (int k = 0; k < r->parts[p].n_drives; k++)
                has[r->parts[p].drives[k].in.control] = 1;
        }
        for (int g = 0; g < r->n_groups; g++)
            for (int k = 0; k < r->groups[g].n_drives; k++)
                has[r->groups[g].drives[k].in.control] = 1;
        /* what the issue asks every avatar to respond to */
        static const int need[] = {RIG_C_MOUTH_OPEN, RIG_C_LIP_SPREAD, RIG_C_LIP_ROUND,
                                   RIG_C_LIP_CLOSE,  RIG_C_TEETH_LIP,  RIG_C_TONGUE,
                                   RIG_C_BLINK,      RIG_C_GAZE_X,     RIG_C_GAZE_Y,
                                   RIG_C_HEAD_YAW,   RIG_C_HEAD_PITCH, RIG_C_HEAD_ROLL,
                                   RIG_C_BREATH,     RIG_C_HAPPY,      RIG_C_ANGRY,
                                   RIG_C_SAD,        RIG_C_RELAXED,    RIG_C_SURPRISED};
        for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
            CHECK(has[need[k]], "%s: nothing responds to %s", names[i],
                  rig_control_name(need[k]));
        printf("%s: %d parts, %d groups, %d paints\n", names[i], r->n_parts, r->n_groups,
               r->n_paints);
        rig_free(&r);
    }
    int seen[2] = {0, 0};
    CHECK(avatar_list(NULL, count_avatar, seen) == SZ_OK, "avatar_list failed");
    CHECK(seen[0] == 1 && seen[1] == 1, "avatar_list saw presenter %d, panda %d", seen[0],
          seen[1]);
    char path[1200], err[512] = "";
    CHECK(avatar_resolve(NULL, "nobody", path, sizeof path, err, sizeof err) == SZ_ERR_NOT_FOUND &&
              strstr(err, "unknown avatar 'nobody'") && strstr(err, "presenter"),
          "unknown name: '%s'", err);
    CHECK(avatar_resolve(NULL, "/nonexistent/dir", path, sizeof path, err, sizeof err) ==
              SZ_ERR_NOT_FOUND, "missing path accepted");
    CHECK(avatar_resolve(NULL, NULL, path, sizeof path, err, sizeof err) == SZ_OK &&
              strstr(path, "/avatars/mei/avatar.json"),
          "default resolves to %s (the photo host mei)", path);
    avatar_rig *r = NULL;
    CHECK(rig_load_file("/nonexistent.json", &r, err, sizeof err) == SZ_ERR_NOT_FOUND &&
              strstr(err, "/nonexistent.json: cannot open"),
          "missing file: '%s'", err);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_paths();
    test_good();
    test_controls();
    test_bad();
    test_shipped();
    return check_summary("test_rig");
}
