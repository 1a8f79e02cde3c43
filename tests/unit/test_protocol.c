/* test_protocol.c: the result line that a shell step prints last (written
 * by lib.sh's change/finish, read by runner.c through protocol.h) has one
 * spelling: lib.sh must print exactly what protocol.h says. */
#include <string.h>

#include "protocol.h"
#include "shtpl.h"
#include "unit.h"

static void has(const char *name, const char *text, const char *want)
{
    unit_int(name, strstr(text, want) != NULL, 1);
}

int main(void)
{
    has("lib.sh's finish prints the changed line", sh_lib, "echo '" RESULT_PREFIX RESULT_CHANGED "'");
    has("lib.sh's finish prints the ok line", sh_lib, "echo '" RESULT_PREFIX RESULT_OK "'");
    has("lib.sh's change prints the would-change line in a dry run", sh_lib,
        "echo '" RESULT_PREFIX RESULT_WOULD_CHANGE "'");
    return unit_done();
}
