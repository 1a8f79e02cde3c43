/* test_plan.c: the plan's order respects every dependency, is stable, and
 * puts publications before the subscriptions that name them; step ids and
 * files are named by what they do, one file per step. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "emit.h"
#include "parse.h"
#include "plan.h"
#include "unit.h"

static Plan *compile(Arena *a, const char *text, Model **mp)
{
    DiagCtx *d = arena_alloc(a, sizeof *d);
    diag_init(d, a);
    Program *prog = arena_alloc(a, sizeof *prog);
    Parser p = {0};
    p.arena = a;
    p.diag = d;
    p.prog = prog;
    parse_text(&p, "t.rc", text, strlen(text));
    Model *m = check_program(a, d, prog, "t");
    if (diag_error_count(d)) {
        diag_flush(d, stdout);
        return NULL;
    }
    *mp = m;
    return plan_build(a, m);
}

static const Step *find(const Plan *p, const char *node, StepKind k)
{
    for (int i = 0; i < p->steps.n; i++) {
        const Step *s = p->steps.items[i];
        if (s->kind == k && strcmp(s->node->name, node) == 0)
            return s;
    }
    return NULL;
}

/* the subscriber is declared first, the publisher last: order must still hold */
static const char topology[] = "table t (id int primary key);\n"
                               "node c { standby from b; pgdata \"/d\"; }\n"
                               "node b { subscribe to a (pa); }\n"
                               "node a { publish pa (t); }\n";

/* Run this program again (a new process, not a fork: its own address
 * layout) with --print-plan; return what it printed, or NULL. */
static char *plan_of_child(void)
{
    int fd[2];
    if (pipe(fd) < 0)
        return NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl("/proc/self/exe", "test_plan", "--print-plan", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    StrBuf b;
    sb_init(&b);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd[0], buf, sizeof buf)) > 0)
        sb_putn(&b, buf, (size_t)n);
    close(fd[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("# the child process failed (status %d)\n", st);
        sb_free(&b);
        return NULL;
    }
    return b.s;
}

int main(int argc, char **argv)
{
    Arena a;
    arena_init(&a);
    Model *m;
    Plan *p = compile(&a, topology, &m);
    if (!p)
        return 1;
    if (argc == 2 && strcmp(argv[1], "--print-plan") == 0) {
        StrBuf b;
        sb_init(&b);
        emit_plan_text(&b, m, p);
        emit_plan_json(&b, m, p);
        fputs(b.s, stdout);
        sb_free(&b);
        arena_free(&a);
        return 0;
    }
    int bad = 0;
    for (int i = 0; i < p->steps.n; i++) {
        const Step *s = p->steps.items[i];
        if (s->id != i + 1)
            bad++;
        for (int k = 0; k < s->deps.n; k++)
            if (((Step *)s->deps.items[k])->id >= s->id)
                bad++;
    }
    unit_int("every step comes after the steps it waits for", bad, 0);
    const Step *pubs = find(p, "a", STEP_PUBLICATIONS);
    const Step *wait = find(p, "b", STEP_SUB_WAIT);
    const Step *sub = find(p, "b", STEP_SUBSCRIBE);
    const Step *tables = find(p, "a", STEP_TABLES);
    unit_int("publisher's tables before its publications", tables && pubs && tables->id < pubs->id, 1);
    unit_int("publications before the subscription that names them", pubs && sub && pubs->id < sub->id, 1);
    int waits = 0;
    for (int k = 0; wait && k < wait->deps.n; k++)
        if (wait->deps.items[k] == pubs)
            waits = 1;
    unit_int("the subscriber's wait step depends on the publisher's publications", waits, 1);
    const Step *bb = find(p, "c", STEP_BASEBACKUP);
    const Step *restart_b = find(p, "b", STEP_RESTART);
    unit_int("a standby's base backup comes after its source is configured",
             bb && restart_b && restart_b->id < bb->id, 1);
    const Step *raise = find(p, "c", STEP_RAISE);
    unit_int("a standby's raise step comes before its primary restarts",
             raise && restart_b && raise->id < restart_b->id, 1);
    const Step *cfg = find(p, "c", STEP_CONFIG);
    unit_int("a standby is configured after its base backup", cfg && bb && bb->id < cfg->id, 1);
    unit_int("a standby creates no tables", find(p, "c", STEP_TABLES) == NULL, 1);
    unit_str("a step's id is its node's directory and what it does", sub ? sub->name : "",
             "b/subscribe.b_from_a");
    unit_str("a step's file is named by what it does", sub ? sub->file : "", "subscribe.b_from_a.sql");

    /* names that meet once made file-safe: upper case, a hyphen, 40 bytes */
    static const char clash[] =
        "table t (id int primary key);\n"
        "table s.\"T\" (id int primary key);\n"
        "node a { publish pa (t); }\n"
        "node z { publish pz (s.\"T\"); }\n"
        "node b {\n"
        "  subscribe x_y to a (pa) with (slot_name = s1);\n"
        "  subscribe \"x-y\" to a (pa) with (slot_name = s2, copy_data = false);\n"
        "  subscribe \"X_Y\" to a (pa) with (slot_name = s3, copy_data = false);\n"
        "  subscribe abcdefghijabcdefghijabcdefghijabcdefghij_1 to a (pa) with (copy_data = false);\n"
        "  subscribe abcdefghijabcdefghijabcdefghijabcdefghij_2 to a (pa) with (copy_data = false);\n"
        "  subscribe sz to z (pz);\n"
        "}\n";
    Arena a2;
    arena_init(&a2);
    Model *m2 = NULL;
    Plan *p2 = compile(&a2, clash, &m2);
    int same = 0, steps = p2 ? p2->steps.n : 0;
    for (int i = 0; i < steps; i++)
        for (int k = 0; k < i; k++) {
            const Step *x = p2->steps.items[i], *y = p2->steps.items[k];
            if (strcmp(x->name, y->name) == 0 ||
                (x->node == y->node && strcmp(x->file, y->file) == 0))
                same++;
        }
    unit_int("names that meet as file names: every step has its own id and file", p2 && same == 0, 1);
    const Step *first = NULL;
    for (int i = 0; i < steps; i++) {
        const Step *s = p2->steps.items[i];
        if (s->kind == STEP_SUBSCRIBE && strcmp(s->sub->name, "x_y") == 0)
            first = s;
    }
    unit_str("a file-safe name keeps its plain file name", first ? first->file : "", "subscribe.x_y.sql");
    arena_free(&a2);

    /* determinism across processes: two fresh runs of this program (each
     * with its own address layout) print the same plan as this one */
    StrBuf mine;
    sb_init(&mine);
    emit_plan_text(&mine, m, p);
    emit_plan_json(&mine, m, p);
    char *run1 = plan_of_child(), *run2 = plan_of_child();
    unit_int("another process prints the same plan", run1 && strcmp(run1, mine.s) == 0, 1);
    unit_int("a third process prints the same plan", run2 && strcmp(run2, mine.s) == 0, 1);
    free(run1);
    free(run2);
    sb_free(&mine);
    arena_free(&a);
    return unit_done();
}
