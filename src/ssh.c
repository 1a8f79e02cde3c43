/* ssh.c: subprocesses with pipes, driven by the caller's poll(). */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
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
    if (strcmp(n->ssh, "local") == 0) {
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
    char *dest = strdup(n->ssh);
    char *colon = strrchr(dest, ':');
    char *at = strchr(dest, '@');
    if (colon && (!at || colon > at) && !strchr(colon + 1, ':') && colon[1]) {
        *colon = '\0';
        push(&v, &count, &cap, strdup("-p"));
        push(&v, &count, &cap, strdup(colon + 1));
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
        if (c->input_off >= c->input_len || (errno != EAGAIN && errno != EINTR)) {
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
