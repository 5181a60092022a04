/* SPDX-License-Identifier: Apache-2.0 */
/* test_clock.c: the monotonic clock, sleeping to a deadline, and the
 * sample/frame arithmetic (no drift over an hour at common rates and fps). */
#include "core/clock.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static void test_monotonic(void)
{
    int64_t prev = clock_now_us(), first = prev;
    long backwards = 0;
    int64_t worst = 0;
    for (int i = 0; i < 100000; i++) {
        int64_t now = clock_now_us();
        if (now < prev) {
            backwards++;
            if (prev - now > worst)
                worst = prev - now;
        }
        prev = now;
    }
    CHECK(first > 0, "clock_now_us() = %lld", (long long)first);
    CHECK(backwards == 0, "clock went backwards %ld times (worst %lld us)", backwards,
          (long long)worst);
    CHECK(prev >= first, "last %lld < first %lld", (long long)prev, (long long)first);
}

static void test_sleep(void)
{
    int64_t deadline = clock_now_us() + 20000;
    clock_sleep_until_us(deadline);
    int64_t now = clock_now_us();
    CHECK(now >= deadline, "sleep_until returned %lld us before the deadline",
          (long long)(deadline - now));

    /* A deadline in the past returns at once (allow a generous 200 ms). */
    int64_t t0 = clock_now_us();
    clock_sleep_until_us(t0 - 1000000);
    int64_t took = clock_now_us() - t0;
    CHECK(took >= 0 && took < 200000, "sleep_until(past) took %lld us", (long long)took);

    sz_clock c;
    clock_start(&c);
    int64_t e0 = clock_elapsed_us(&c);
    CHECK(e0 >= 0 && e0 < 200000, "elapsed right after start: %lld us", (long long)e0);
    clock_sleep_until_us(clock_now_us() + 10000);
    int64_t e1 = clock_elapsed_us(&c);
    CHECK(e1 >= 10000, "elapsed after a 10 ms sleep: %lld us", (long long)e1);
    CHECK(e1 > e0, "elapsed did not grow: %lld then %lld", (long long)e0, (long long)e1);
}

static void test_frames(void)
{
    static const int rates[] = {22050, 24000, 44100, 48000};
    static const int fpss[] = {24, 25, 30, 60};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        for (size_t f = 0; f < sizeof fpss / sizeof fpss[0]; f++) {
            int rate = rates[r], fps = fpss[f];
            int64_t frames = (int64_t)fps * 3600;
            double per = (double)rate / fps;
            int64_t sum = 0, bad = 0, bad_frame = -1, bad_count = 0;
            CHECK(clock_frame_first_sample(0, rate, fps) == 0, "%d Hz %d fps: frame 0 at %lld",
                  rate, fps, (long long)clock_frame_first_sample(0, rate, fps));
            for (int64_t k = 0; k < frames; k++) {
                int64_t n = clock_frame_first_sample(k + 1, rate, fps) -
                            clock_frame_first_sample(k, rate, fps);
                double d = (double)n - per;
                if (d <= -1.0 || d >= 1.0) {
                    if (!bad) {
                        bad_frame = k;
                        bad_count = n;
                    }
                    bad++;
                }
                sum += n;
            }
            CHECK(sum == (int64_t)rate * 3600, "%d Hz %d fps: an hour of frames holds %lld "
                  "samples, expected %lld", rate, fps, (long long)sum, (long long)rate * 3600);
            CHECK(clock_frame_first_sample(frames, rate, fps) == (int64_t)rate * 3600,
                  "%d Hz %d fps: frame %lld starts at %lld", rate, fps, (long long)frames,
                  (long long)clock_frame_first_sample(frames, rate, fps));
            CHECK(bad == 0, "%d Hz %d fps: %lld frames off by >= 1 sample (first: frame %lld "
                  "has %lld, expected ~%.3f)", rate, fps, (long long)bad, (long long)bad_frame,
                  (long long)bad_count, per);
        }
    }
    /* Exact values: floor(k * rate / fps). */
    CHECK(clock_frame_first_sample(1, 22050, 30) == 735, "22050/30 frame 1");
    CHECK(clock_frame_first_sample(1, 44100, 24) == 1837, "44100/24 frame 1 (floor of 1837.5)");
    CHECK(clock_frame_first_sample(2, 44100, 24) == 3675, "44100/24 frame 2");
    CHECK(clock_frame_first_sample(1, 22050, 60) == 367, "22050/60 frame 1 (floor of 367.5)");
    /* A day at 48 kHz / 60 fps does not overflow. */
    CHECK(clock_frame_first_sample((int64_t)60 * 86400, 48000, 60) == (int64_t)48000 * 86400,
          "a day at 48 kHz");
}

static void test_samples_to_us(void)
{
    CHECK(clock_samples_to_us(22050, 22050) == 1000000, "22050 @ 22050 = %lld us",
          (long long)clock_samples_to_us(22050, 22050));
    CHECK(clock_samples_to_us(0, 48000) == 0, "0 samples");
    CHECK(clock_samples_to_us(48, 48000) == 1000, "48 @ 48 kHz = %lld us",
          (long long)clock_samples_to_us(48, 48000));
    CHECK(clock_samples_to_us(1, 22050) == 45, "1 @ 22050 = %lld us (45.35 rounded down)",
          (long long)clock_samples_to_us(1, 22050));
    CHECK(clock_samples_to_us((int64_t)24000 * 3600, 24000) == (int64_t)3600 * 1000000,
          "an hour at 24 kHz = %lld us",
          (long long)clock_samples_to_us((int64_t)24000 * 3600, 24000));
}

int main(void)
{
    test_monotonic();
    test_sleep();
    test_frames();
    test_samples_to_us();
    return check_summary("test_clock");
}
