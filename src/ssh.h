/* ssh.h: shell steps as argv subprocesses (never through a shell string on
 * this side): ssh to the node's host, or sh locally for `ssh local`. The
 * script goes to the child's standard input; its output (stdout and stderr)
 * is collected. */
#ifndef REPLC_SSH_H
#define REPLC_SSH_H

#include <stdbool.h>
#include <sys/types.h>

#include "model.h"
#include "strbuf.h"

typedef struct Child {
    pid_t pid;
    int in_fd, out_fd;   /* -1 when closed */
    char *input;         /* what is left to write */
    size_t input_len, input_off;
    StrBuf output;
    int status;          /* exit status once reaped, -1 before */
    bool keep_stdin;     /* stdin stays open when the input is written: child_feed sends more */
} Child;

/* The argv that runs `sh -s` on node n: REPLC_SSH (split into words as a
 * shell would, without expansion) or "ssh", then -p PORT, the destination
 * and the remote command. NULL-terminated, malloc'ed (free with argv_free).
 * On a bad REPLC_SSH, NULL and *error says why. */
char **ssh_argv(const MNode *n, char **error);
void argv_free(char **argv);
/* Split s into words as sh would (quotes and backslashes; no expansion). */
char **split_words(const char *s, char **error);

/* Start argv with input on its stdin. false and *error when it cannot start. */
bool child_start(Child *c, char **argv, const char *input, size_t len, char **error);
/* More input for a child started with keep_stdin set (child_start clears
 * it: set it right after). */
void child_feed(Child *c, const char *input, size_t len);
/* After poll(): write what can be written, read what can be read; returns
 * true once the child has exited and its output is drained. */
bool child_step(Child *c);
void child_kill(Child *c);
void child_free(Child *c);
/* Stop the shared ssh connections of this run (REPLC_SSH_CONTROL_DIR). */
void ssh_close_masters(const Model *m);

#endif
