/* unit.h: a tiny test harness: EXPECT_STR / EXPECT_INT print "ok - ..." or
 * "not ok - ...", and unit_done() prints "N passed, M failed". */
#ifndef REPLC_UNIT_H
#define REPLC_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

static inline void unit_str(const char *name, const char *got, const char *want)
{
    if (got && strcmp(got, want) == 0) {
        unit_pass++;
        printf("ok - %s\n", name);
    } else {
        unit_fail++;
        printf("not ok - %s\n    want: [%s]\n    got:  [%s]\n", name, want, got ? got : "(null)");
    }
}

static inline void unit_int(const char *name, long got, long want)
{
    if (got == want) {
        unit_pass++;
        printf("ok - %s\n", name);
    } else {
        unit_fail++;
        printf("not ok - %s\n    want: %ld\n    got:  %ld\n", name, want, got);
    }
}

static inline int unit_done(void)
{
    printf("%d passed, %d failed\n", unit_pass, unit_fail);
    return unit_fail ? 1 : 0;
}

#endif
