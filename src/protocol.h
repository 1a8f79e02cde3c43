/* protocol.h: the line a shell step prints last to say what it did. The
 * scripts write it (emit_scripts.c), --apply reads it (runner.c):
 *     replc-result: changed | ok | would-change */
#ifndef REPLC_PROTOCOL_H
#define REPLC_PROTOCOL_H

#define RESULT_PREFIX "replc-result: "
#define RESULT_CHANGED "changed"            /* something was changed */
#define RESULT_OK "ok"                      /* everything was in place */
#define RESULT_WOULD_CHANGE "would-change"  /* REPLC_DRY_RUN=1: something would change */

/* --apply runs a host's shell steps in one ssh session (runner.c); after
 * each step the session prints, on a line of its own,
 *     replc-step-end-NONCE STATUS
 * (NONCE: one per session, STATUS: the step's exit status). */
#define STEP_END_PREFIX "replc-step-end-"

#endif
