/* SPDX-License-Identifier: Apache-2.0 */
/* test_ssml.c: the SSML subset: each valid document becomes the exact runs,
 * breaks, marks and phonemes listed; each malformed one is refused with its
 * line and column and what was expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "tts/frontend/frontend.h"

#include "check.h"

/* "T:en-us:text", "T:en-us:r0.75,p1.10,v1.50:text", "B500" (b: implicit),
 * "M:name", "P:lang:ipa:text", joined with " | ". */
static void ssml_describe(const fe_doc *d, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < d->n_items && o < cap; i++) {
        const fe_item *it = &d->items[i];
        const char *sep = i ? " | " : "";
        char pros[64] = "";
        if (it->prosody.rate != 1.0f || it->prosody.pitch != 1.0f || it->prosody.volume != 1.0f)
            snprintf(pros, sizeof pros, "r%.2f,p%.2f,v%.2f:", it->prosody.rate, it->prosody.pitch,
                     it->prosody.volume);
        switch (it->kind) {
        case FE_ITEM_TEXT:
            o += (size_t)snprintf(out + o, cap - o, "%sT:%s:%s%s", sep, it->lang, pros, it->text);
            break;
        case FE_ITEM_PHONES:
            o += (size_t)snprintf(out + o, cap - o, "%sP:%s:%s:%s", sep, it->lang, it->ipa,
                                  it->text);
            break;
        case FE_ITEM_BREAK:
            o += (size_t)snprintf(out + o, cap - o, "%s%c%d", sep, it->implicit ? 'b' : 'B',
                                  it->break_ms);
            break;
        case FE_ITEM_MARK:
            o += (size_t)snprintf(out + o, cap - o, "%sM:%s", sep, it->text);
            break;
        }
    }
}

typedef struct ssml_case {
    const char *doc;
    const char *want;
} ssml_case;

static const ssml_case valid[] = {
    {"<speak>Hello world.</speak>", "T:en-us:Hello world."},
    {"<speak>One <break time=\"500ms\"/> two.</speak>", "T:en-us:One | B500 | T:en-us:two."},
    {"<speak>One <break time=\"2s\"/> two</speak>", "T:en-us:One | B2000 | T:en-us:two"},
    {"<speak>One <break time='1.5s' /> two</speak>", "T:en-us:One | B1500 | T:en-us:two"},
    {"<speak>One <break strength=\"strong\"/> two</speak>", "T:en-us:One | B700 | T:en-us:two"},
    {"<speak>One <break/> two</speak>", "T:en-us:One | B400 | T:en-us:two"},
    {"<speak>Hi. <break strength=\"none\"/> Bye.</speak>", "T:en-us:Hi. | B0 | T:en-us:Bye."},
    {"<speak>Hi.<break time=\"1s\"/>Bye.</speak>", "T:en-us:Hi. | B1000 | T:en-us:Bye."},
    {"<speak>Hi. Bye.</speak>", "T:en-us:Hi. | b300 | T:en-us:Bye."},
    {"<speak>A <mark name=\"m1\"/> B</speak>", "T:en-us:A | M:m1 | T:en-us:B"},
    {"<speak>Hello <mark name=\"end\"/></speak>", "T:en-us:Hello | M:end"},
    {"<speak><prosody rate=\"slow\">slow</prosody> fast</speak>",
     "T:en-us:r0.75,p1.00,v1.00:slow | T:en-us:fast"},
    {"<speak><prosody rate=\"150%\" pitch=\"+10%\" volume=\"loud\">x</prosody></speak>",
     "T:en-us:r1.50,p1.10,v1.50:x"},
    {"<speak><prosody pitch=\"-2st\">x</prosody></speak>", "T:en-us:r1.00,p0.89,v1.00:x"},
    {"<speak><prosody volume=\"+6dB\">x</prosody></speak>", "T:en-us:r1.00,p1.00,v2.00:x"},
    {"<speak><prosody rate=\"200%\"><prosody rate=\"x-slow\">x</prosody></prosody></speak>",
     "T:en-us:x"},
    {"<speak><prosody rate=\"10%\">x</prosody></speak>", "T:en-us:r0.30,p1.00,v1.00:x"},
    {"<speak><say-as interpret-as=\"characters\">ABC</say-as></speak>", "T:en-us:A B C"},
    {"<speak><say-as interpret-as=\"digits\">1234</say-as></speak>",
     "T:en-us:one two three four"},
    {"<speak><say-as interpret-as=\"cardinal\">1234</say-as></speak>",
     "T:en-us:one thousand two hundred thirty four"},
    {"<speak><say-as interpret-as=\"ordinal\">3</say-as></speak>", "T:en-us:third"},
    {"<speak><say-as interpret-as=\"date\" format=\"mdy\">11/29/2026</say-as></speak>",
     "T:en-us:November twenty ninth, twenty twenty six"},
    {"<speak><say-as interpret-as=\"date\" format=\"dmy\">29-11-2026</say-as></speak>",
     "T:en-us:November twenty ninth, twenty twenty six"},
    {"<speak><say-as interpret-as=\"time\">9:05</say-as></speak>", "T:en-us:nine oh five"},
    {"<speak><say-as interpret-as=\"telephone\">555 1234</say-as></speak>",
     "T:en-us:five five five, one two three four"},
    {"<speak><say-as interpret-as=\"currency\">$19.99</say-as></speak>",
     "T:en-us:nineteen dollars and ninety nine cents"},
    {"<speak><say-as interpret-as=\"ordinal\">abc</say-as></speak>", "T:en-us:abc"},
    {"<speak><sub alias=\"World Wide Web\">WWW</sub></speak>", "T:en-us:World Wide Web"},
    {"<speak><sub alias=\"two\"/></speak>", "T:en-us:two"},
    {"<speak>Say <phoneme alphabet=\"ipa\" ph=\"t\xC9\x99\xCB\x88m\xC9\x91\xCB\x90to\xCA\x8A\">"
     "tomato</phoneme>.</speak>",
     "T:en-us:Say | P:en-us:t\xC9\x99\xCB\x88m\xC9\x91\xCB\x90to\xCA\x8A:tomato"},
    {"<speak><lang xml:lang=\"zh-CN\">你好123</lang></speak>", "T:cmn:你好一百二十三"},
    {"<speak xml:lang=\"zh-CN\">价格100元 OK</speak>", "T:cmn:价格一百元 | T:en-us:OK"},
    {"<speak><lang xml:lang=\"fr-FR\">Bonjour 5</lang></speak>", "T:fr-fr:Bonjour 5"},
    {"<speak xml:lang=\"en-GB\">Hello 5</speak>", "T:en-gb:Hello five"},
    {"<speak>Tom &amp; Jerry &lt;3 &#x4E2D;</speak>",
     "T:en-us:Tom and Jerry less than three | T:cmn:中"},
    {"<?xml version=\"1.0\"?><!-- c --><speak>Hi<!-- x --> there</speak>", "T:en-us:Hi there"},
    {"<speak><![CDATA[a < b]]></speak>", "T:en-us:a less than b"},
    {"<speak><p>One.</p><p>Two</p></speak>", "T:en-us:One. | b500 | T:en-us:Two"},
    {"<speak><s>One</s><s>Two</s></speak>", "T:en-us:One | b300 | T:en-us:Two"},
    {"<speak>x<emphasis level=\"strong\">y</emphasis></speak>",
     "T:en-us:x | T:en-us:r0.90,p1.10,v1.25:y"},
    {"<speak/>", ""},
    {"\xEF\xBB\xBF<speak version=\"1.1\" xmlns=\"http://www.w3.org/2001/10/synthesis\" "
     "xml:lang=\"en-US\">Hi</speak>",
     "T:en-us:Hi"},
    {"<speak>\n  Line one.\n  <break time=\"300ms\"/>\n  Line two.\n</speak>",
     "T:en-us:Line one. | B300 | T:en-us:Line two."},
};

static const ssml_case malformed[] = {
    {"", "ssml: line 1, column 1: the document is empty: expected <speak>"},
    {"Hello", "ssml: line 1, column 1: expected <speak> (use plain text without --ssml)"},
    {"<speak>Hi", "ssml: line 1, column 10: unexpected end of the document: <speak> (line 1, "
                  "column 1) is not closed"},
    {"<speak>Hi</speek>", "ssml: line 1, column 10: unsupported element <speek>"},
    {"<speak><prosody>x</speak>", "ssml: line 1, column 18: expected </prosody> (opened at line "
                                  "1, column 8), found </speak>"},
    {"<speak><break time=\"abc\"/></speak>",
     "ssml: line 1, column 15: break time 'abc': expected a duration like 500ms or 2s"},
    {"<speak><break time=\"61s\"/></speak>",
     "ssml: line 1, column 15: break time '61s' is longer than 60 s"},
    {"<speak><break strength=\"loud\"/></speak>",
     "ssml: line 1, column 15: break strength 'loud': expected none, x-weak, weak, medium, "
     "strong or x-strong"},
    {"<speak><break>x</break></speak>",
     "ssml: line 1, column 8: <break> must be empty: write <break .../>"},
    {"<speak><mark/></speak>", "ssml: line 1, column 8: <mark> needs a name=\"...\""},
    {"<speak><prosody rate=\"fastest\">x</prosody></speak>",
     "ssml: line 1, column 17: prosody rate 'fastest': expected x-slow, slow, medium, fast, "
     "x-fast or a percentage like 120%"},
    {"<speak><prosody pitch=\"200Hz\">x</prosody></speak>",
     "ssml: line 1, column 17: prosody pitch '200Hz': pitch in Hz is not supported"},
    {"<speak><prosody volume=\"loudest\">x</prosody></speak>",
     "ssml: line 1, column 17: prosody volume 'loudest'"},
    {"<speak><say-as interpret-as=\"spell\">x</say-as></speak>",
     "ssml: line 1, column 16: say-as interpret-as 'spell': expected characters, digits"},
    {"<speak><say-as>x</say-as></speak>",
     "ssml: line 1, column 8: <say-as> needs interpret-as=\"...\""},
    {"<speak><say-as interpret-as=\"date\" format=\"qq\">1</say-as></speak>",
     "ssml: line 1, column 36: say-as date format 'qq'"},
    {"<speak><sub>x</sub></speak>", "ssml: line 1, column 8: <sub> needs alias=\"...\""},
    {"<speak><phoneme alphabet=\"x-sampa\" ph=\"a\">x</phoneme></speak>",
     "ssml: line 1, column 17: phoneme alphabet 'x-sampa' is not supported (only ipa)"},
    {"<speak><phoneme ph=\"t5x\">x</phoneme></speak>",
     "ssml: line 1, column 17: phoneme ph: '5' (character 2) is not an IPA symbol"},
    {"<speak><phoneme>x</phoneme></speak>",
     "ssml: line 1, column 8: <phoneme> needs ph=\"...\" (IPA)"},
    {"<speak><lang>x</lang></speak>", "ssml: line 1, column 8: <lang> needs xml:lang=\"...\""},
    {"<speak><lang xml:lang=\"en_US\">x</lang></speak>",
     "ssml: line 1, column 14: xml:lang 'en_US': expected a language tag like en-US or zh-CN"},
    {"<speak><voice name=\"x\">y</voice></speak>",
     "ssml: line 1, column 8: <voice> is not supported: choose the voice with --voice"},
    {"<speak>a &nbsp; b</speak>",
     "ssml: line 1, column 10: unknown entity '&nbsp;' (use &amp; &lt; &gt; &quot; &apos; or "
     "&#N;)"},
    {"<speak>a & b</speak>",
     "ssml: line 1, column 10: '&' must start an entity such as &amp; (ends with ';')"},
    {"<speak>&#0;</speak>", "ssml: line 1, column 8: unknown entity '&#0;'"},
    {"<!DOCTYPE speak><speak/>",
     "ssml: line 1, column 1: DOCTYPE and ENTITY declarations are not allowed"},
    {"<speak><break foo=\"1\"/></speak>",
     "ssml: line 1, column 15: <break> has no attribute 'foo'"},
    {"<speak><break time=\"1s\" time=\"2s\"/></speak>",
     "ssml: line 1, column 25: attribute 'time' appears twice"},
    {"<speak><break time=1s/></speak>",
     "ssml: line 1, column 20: attribute 'time': expected a quoted value"},
    {"<speak><break time\"1s\"/></speak>",
     "ssml: line 1, column 19: expected '=' after attribute 'time'"},
    {"<speak><break time=\"1s/></speak>",
     "ssml: line 1, column 25: '<' is not allowed in attribute 'time'"},
    {"<speak></speak><speak></speak>",
     "ssml: line 1, column 16: only one <speak> element is allowed; found more after </speak>"},
    {"<speak>x</speak> trailing", "ssml: line 1, column 18: text after </speak>"},
    {"<speak><sub alias=\"a\"><break/></sub></speak>",
     "ssml: line 1, column 23: <sub> may contain only text, not <break>"},
    {"<speak><speak>x</speak></speak>", "ssml: line 1, column 8: <speak> may not be nested"},
    {"<speak>\n  <prosody rate=\"x\">a</prosody>\n</speak>",
     "ssml: line 2, column 12: prosody rate 'x'"},
    {"<speak><!-- unclosed </speak>",
     "ssml: line 1, column 8: the comment is not closed with '-->'"},
    {"<p>x</p>", "ssml: line 1, column 1: the document must start with <speak>, not <p>"},
    {"<speak><p><p>x</p></p></speak>", "ssml: line 1, column 11: <p> may not be inside <p>"},
    {"<speak>x</prosody></speak>",
     "ssml: line 1, column 9: expected </speak> (opened at line 1, column 1), found </prosody>"},
    {"<speak><break time=\"1s\"></speak>",
     "ssml: line 1, column 8: <break> must be empty: write <break .../>"},
    {"<speak><123/></speak>", "ssml: line 1, column 9: expected an element name after '<'"},
    {"<speak><![CDATA[x</speak>", "ssml: line 1, column 8: CDATA is not closed with ']]>'"},
    {"<speak>x<", "ssml: line 1, column 10: expected an element name after '<'"},
};

static void test_limits(void)
{
    char err[256];
    fe_params p = fe_default_params();
    p.ssml = 1;
    fe_doc *d = NULL;
    /* nesting deeper than 64 */
    char deep[2048] = "<speak>";
    for (int i = 0; i < 70; i++)
        strcat(deep, "<s>");
    CHECK(fe_process(deep, strlen(deep), &p, &d, err, sizeof err) == SZ_ERR_FORMAT, "deep");
    /* <s> inside <s> is refused before the depth limit; use prosody */
    strcpy(deep, "<speak>");
    for (int i = 0; i < 70; i++)
        strcat(deep, "<prosody>");
    CHECK(fe_process(deep, strlen(deep), &p, &d, err, sizeof err) == SZ_ERR_FORMAT, "deep");
    CHECK(strstr(err, "elements nested deeper than 64") != NULL, "%s", err);
    /* breaks adding up to more than 600 s */
    char many[1024] = "<speak>";
    for (int i = 0; i < 11; i++)
        strcat(many, "a<break time=\"60s\"/>");
    strcat(many, "</speak>");
    CHECK(fe_process(many, strlen(many), &p, &d, err, sizeof err) == SZ_ERR_FORMAT, "breaks");
    CHECK(strstr(err, "breaks add up to more than 600 s") != NULL, "%s", err);
    /* a mark name longer than 255 bytes */
    char name[600] = "<speak><mark name=\"";
    for (int i = 0; i < 300; i++)
        strcat(name, "m");
    strcat(name, "\"/></speak>");
    CHECK(fe_process(name, strlen(name), &p, &d, err, sizeof err) == SZ_ERR_FORMAT, "mark");
    CHECK(strstr(err, "mark name is longer than 255 bytes") != NULL, "%s", err);
    /* invalid UTF-8 */
    CHECK(fe_process("<speak>\xC3</speak>", 16, &p, &d, err, sizeof err) == SZ_ERR_FORMAT,
          "utf8");
    CHECK(strstr(err, "offset 7") != NULL, "%s", err);
    CHECK(fe_ssml_check("<speak>ok</speak>", 17, err, sizeof err) == SZ_OK, "%s", err);
    CHECK(fe_ssml_check("<speak>ok", 9, err, sizeof err) == SZ_ERR_FORMAT, "check");
    CHECK(d == NULL, "no document after an error");
}

/* Marks, breaks and sentences line up in a document with two languages. */
static void test_structure(void)
{
    const char *doc = "<speak><p>Welcome. <mark name=\"price\"/>这款只要<say-as "
                      "interpret-as=\"currency\">\xC2\xA5" "1,299</say-as>。</p>"
                      "<p><prosody rate=\"fast\">Thank you!</prosody></p></speak>";
    fe_params p = fe_default_params();
    p.ssml = 1;
    fe_doc *d = NULL;
    char err[256];
    CHECK(fe_process(doc, strlen(doc), &p, &d, err, sizeof err) == SZ_OK, "%s", err);
    if (!d)
        return;
    char got[1024];
    ssml_describe(d, got, sizeof got);
    const char *want = "T:en-us:Welcome. | M:price | b300 | T:cmn:这款只要一千二百九十九元。 | "
                       "b500 | T:en-us:r1.25,p1.00,v1.00:Thank you!";
    CHECK(strcmp(got, want) == 0, "\n  want: %s\n  got:  %s", want, got);
    CHECK(d->n_sentences == 3, "%zu sentences", d->n_sentences);
    if (d->n_sentences == 3) {
        CHECK(strcmp(d->sentences[1].lang, "zh") == 0, "%s", d->sentences[1].lang);
        CHECK(strcmp(d->sentences[1].text, "这款只要一千二百九十九元。") == 0, "%s",
              d->sentences[1].text);
        CHECK(strcmp(d->sentences[1].source, "这款只要\xC2\xA5" "1,299。") == 0, "%s",
              d->sentences[1].source);
    }
    fe_doc_free(&d);
}

int main(void)
{
    sz_set_log_level(SZ_LOG_ERROR); /* clamping warnings are expected */
    fe_params p = fe_default_params();
    p.ssml = 1;
    char got[2048], err[512];
    size_t nv = sizeof valid / sizeof valid[0], nm = sizeof malformed / sizeof malformed[0];
    for (size_t i = 0; i < nv; i++) {
        fe_doc *d = NULL;
        int rc = fe_process(valid[i].doc, strlen(valid[i].doc), &p, &d, err, sizeof err);
        CHECK(rc == SZ_OK, "%s: %s", valid[i].doc, err);
        if (rc != SZ_OK)
            continue;
        ssml_describe(d, got, sizeof got);
        CHECK(strcmp(got, valid[i].want) == 0, "\n  doc:  %s\n  want: %s\n  got:  %s",
              valid[i].doc, valid[i].want, got);
        fe_doc_free(&d);
    }
    for (size_t i = 0; i < nm; i++) {
        fe_doc *d = NULL;
        err[0] = 0;
        int rc = fe_process(malformed[i].doc, strlen(malformed[i].doc), &p, &d, err, sizeof err);
        CHECK(rc == SZ_ERR_FORMAT && d == NULL, "%s: accepted", malformed[i].doc);
        /* the expected text is the message or its beginning */
        CHECK(strncmp(err, malformed[i].want, strlen(malformed[i].want)) == 0,
              "\n  doc:  %s\n  want: %s\n  got:  %s", malformed[i].doc, malformed[i].want, err);
        CHECK(!strchr(err, '\n'), "one line: %s", err);
        fe_doc_free(&d);
    }
    printf("ssml: %zu valid documents, %zu malformed documents refused with their position\n",
           nv, nm);
    test_limits();
    test_structure();
    return check_summary("test_ssml");
}
