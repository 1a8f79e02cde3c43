/* ssh.c: subprocesses with pipes, driven by the caller's poll(). */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void push(char ***v, int *n, int *cap, char *s)
{
    if (*n + 2 > *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *v = realloc(*v, sizeof(char *) * (size_t)*cap);
    }
    (*v)[(*n)++] = s;
    (*v)[*n] = NULL;
}

char **split_words(const char *s, char **error)
{
    char **v = NULL;
    int n = 0, cap = 0;
    push(&v, &n, &cap, NULL);
    n = 0;
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        StrBuf w;
        sb_init(&w);
        sb_puts(&w, "");
        while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '\'') {
                const char *e = strchr(p + 1, '\'');
                if (!e)
                    goto unterminated;
                sb_putn(&w, p + 1, (size_t)(e - p - 1));
                p = e + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
                        p++;
                    sb_putc(&w, *p++);
                }
                if (!*p)
                    goto unterminated;
                p++;
            } else if (*p == '\\' && p[1]) {
                sb_putc(&w, p[1]);
                p += 2;
            } else
                sb_putc(&w, *p++);
        }
        push(&v, &n, &cap, w.s);
        continue;
    unterminated:
        sb_free(&w);
        argv_free(v);
        *error = strdup("REPLC_SSH has an unterminated quote");
        return NULL;
    }
    return v;
}

void argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

char **ssh_argv(const MNode *n, char **error)
{
    char **v;
    if (model_ssh_local(n)) {
        v = calloc(3, sizeof(char *));
        v[0] = strdup("sh");
        v[1] = strdup("-s");
        return v;
    }
    const char *cmd = getenv("REPLC_SSH");
    v = split_words(cmd && *cmd ? cmd : "ssh -o BatchMode=yes", error);
    if (!v)
        return NULL;
    int count = 0, cap;
    while (v[count])
        count++;
    cap = count + 1;
    /* "user@host[:port]" */
    StrBuf d;
    sb_init(&d);
    model_ssh(&d, n);
    char *dest = d.s;   /* (malloc'ed: freed with v) */
    char *colon = strrchr(dest, ':');
    char *at = strchr(dest, '@');
    if (colon && (!at || colon > at) && !strchr(colon + 1, ':') && colon[1]) {
        *colon = '\0';
        push(&v, &count, &cap, strdup("-p"));
        push(&v, &count, &cap, strdup(colon + 1));
    }
    /* one connection per host for the whole run (REPLC_SSH's own -o come first and win) */
    const char *dir = getenv("REPLC_SSH_CONTROL_DIR");
    if (dir && *dir) {
        push(&v, &count, &cap, strdup("-o"));
        push(&v, &count, &cap, strdup("ControlMaster=auto"));
        push(&v, &count, &cap, strdup("-o"));
        char *path = malloc(strlen(dir) + 32);
        sprintf(path, "ControlPath=%s/%%C", dir);
        push(&v, &count, &cap, path);
        push(&v, &count, &cap, strdup("-o"));
        push(&v, &count, &cap, strdup("ControlPersist=60"));
    }
    push(&v, &count, &cap, strdup("--"));
    push(&v, &count, &cap, dest);
    push(&v, &count, &cap, strdup("sh -s"));
    return v;
}

static void nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
}

bool child_start(Child *c, char **argv, const char *input, size_t len, char **error)
{
    memset(c, 0, sizeof *c);
    c->in_fd = c->out_fd = -1;
    c->status = -1;
    sb_init(&c->output);
    int in[2], out[2];
    if (pipe(in) < 0)
        goto fail;
    if (pipe(out) < 0) {
        close(in[0]);
        close(in[1]);
        goto fail;
    }
    c->pid = fork();
    if (c->pid < 0) {
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        goto fail;
    }
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        setpgid(0, 0);   /* Ctrl-C reaches replc only; replc stops its children */
        execvp(argv[0], argv);
        fprintf(stderr, "replc: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->in_fd = in[1];
    c->out_fd = out[0];
    nonblock(c->in_fd);
    nonblock(c->out_fd);
    c->input = malloc(len + 1);
    memcpy(c->input, input, len);
    c->input_len = len;
    return true;
fail:
    *error = strdup(strerror(errno));
    return false;
}

bool child_step(Child *c)
{
    if (c->in_fd >= 0) {
        while (c->input_off < c->input_len) {
            ssize_t w = write(c->in_fd, c->input + c->input_off, c->input_len - c->input_off);
            if (w > 0)
                c->input_off += (size_t)w;
            else
                break;
        }
        if ((c->input_off >= c->input_len && !c->keep_stdin) ||
            (c->input_off < c->input_len && errno != EAGAIN && errno != EINTR)) {
            close(c->in_fd);
            c->in_fd = -1;
        }
    }
    if (c->out_fd >= 0) {
        char buf[8192];
        for (;;) {
            ssize_t r = read(c->out_fd, buf, sizeof buf);
            if (r > 0) {
                sb_putn(&c->output, buf, (size_t)r);
                continue;
            }
            if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(c->out_fd);
                c->out_fd = -1;
            }
            break;
        }
    }
    if (c->out_fd < 0 && c->status < 0) {
        int st;
        if (waitpid(c->pid, &st, 0) == c->pid)
            c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    }
    return c->status >= 0;
}

void child_feed(Child *c, const char *input, size_t len)
{
    if (c->in_fd < 0)
        return;
    char *in = realloc(c->input, c->input_len - c->input_off + len + 1);
    if (!in)
        return;
    memmove(in, in + c->input_off, c->input_len - c->input_off);
    c->input_len -= c->input_off;
    c->input_off = 0;
    memcpy(in + c->input_len, input, len);
    c->input_len += len;
    c->input = in;
}

void child_kill(Child *c)
{
    if (c->pid > 0 && c->status < 0) {
        kill(-c->pid, SIGTERM);
        kill(c->pid, SIGTERM);
        int st;
        waitpid(c->pid, &st, 0);
        c->status = 130;
    }
}

void child_free(Child *c)
{
    if (c->in_fd >= 0)
        close(c->in_fd);
    if (c->out_fd >= 0)
        close(c->out_fd);
    free(c->input);
    sb_free(&c->output);
    c->in_fd = c->out_fd = -1;
    c->input = NULL;
}

void ssh_close_masters(const Model *m)
{
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        if (model_ssh_local(n))
            continue;
        char *err = NULL;
        char **argv = ssh_argv(n, &err);
        if (!argv) {
            free(err);
            continue;
        }
        /* turn "... -- dest sh -s" into "... -O exit -- dest" */
        int k = 0;
        while (argv[k])
            k++;
        free(argv[k - 1]);
        argv[k - 1] = NULL;
        char **v = calloc((size_t)k + 3, sizeof(char *));
        int j = 0;
        for (int q = 0; q < k - 1; q++) {
            if (strcmp(argv[q], "--") == 0) {
                v[j++] = strdup("-O");
                v[j++] = strdup("exit");
            }
            v[j++] = argv[q];
        }
        free(argv);
        Child c;
        if (child_start(&c, v, "", 0, &err)) {
            while (!child_step(&c)) {
                struct pollfd pfd = {c.out_fd, POLLIN, 0};
                poll(&pfd, 1, 100);
            }
            child_free(&c);
        } else
            free(err);
        argv_free(v);
    }
}
