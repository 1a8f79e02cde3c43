/* test_ssh.c: where a node's shell steps run (model_ssh, ssh_argv): the
 * 'ssh' setting as given, or postgres@HOST when none is (not stored in the
 * model since round 4 of issue 10's memory work, made when used). */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "ssh.h"
#include "strbuf.h"
#include "unit.h"

/* ssh_argv's words joined by '|' */
static char *argv_line(const MNode *n)
{
    char *err = NULL;
    char **v = ssh_argv(n, &err);
    StrBuf b;
    sb_init(&b);
    for (char **p = v; p && *p; p++) {
        if (p != v)
            sb_putc(&b, '|');
        sb_puts(&b, *p);
    }
    argv_free(v);
    free(err);
    return b.s;
}

static char *ssh_text(const MNode *n)
{
    StrBuf b;
    sb_init(&b);
    model_ssh(&b, n);
    return b.s;
}

int main(void)
{
    unsetenv("REPLC_SSH");
    unsetenv("REPLC_SSH_CONTROL_DIR");
    MNode n;
    NodeConf conf;
    memset(&n, 0, sizeof n);
    memset(&conf, 0, sizeof conf);
    n.host = "10.0.0.7";
    n.conf = &conf;

    char *s = ssh_text(&n);
    unit_str("no ssh setting: postgres@host", s, "postgres@10.0.0.7");
    free(s);
    unit_int("no ssh setting: not local", model_ssh_local(&n), 0);
    s = argv_line(&n);
    unit_str("no ssh setting: ssh to postgres@host", s, "ssh|-o|BatchMode=yes|--|postgres@10.0.0.7|sh -s");
    free(s);

    conf.ssh = "admin@db.example:2222";
    s = ssh_text(&n);
    unit_str("ssh setting as given", s, "admin@db.example:2222");
    free(s);
    s = argv_line(&n);
    unit_str("ssh setting: its port as -p", s, "ssh|-o|BatchMode=yes|-p|2222|--|admin@db.example|sh -s");
    free(s);

    conf.ssh = "local";
    unit_int("ssh local", model_ssh_local(&n), 1);
    s = argv_line(&n);
    unit_str("ssh local: sh here", s, "sh|-s");
    free(s);
    return unit_done();
}
