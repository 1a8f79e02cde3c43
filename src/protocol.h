/* protocol.h: the line a shell step prints last to say what it did. The
 * scripts write it (emit_scripts.c), --apply reads it (runner.c):
 *     replc-result: changed | ok | would-change */
#ifndef REPLC_PROTOCOL_H
#define REPLC_PROTOCOL_H

#define RESULT_PREFIX "replc-result: "
#define RESULT_CHANGED "changed"            /* something was changed */
#define RESULT_OK "ok"                      /* everything was in place */
#define RESULT_WOULD_CHANGE "would-change"  /* REPLC_DRY_RUN=1: something would change */

#endif
