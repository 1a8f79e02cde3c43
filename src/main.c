/* main.c: the command line (getopt_long); the only place that exits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "check.h"
#include "emit.h"
#include "explain.h"
#include "parse.h"
#include "version.h"

static void usage(FILE *f)
{
    fputs("usage: replc [OPTIONS] FILE.rc\n"
          "  -o, --output DIR    write per-host scripts, the plan and the graph into DIR\n"
          "      --check         check the topology only; print diagnostics\n"
          "      --plan          print the plan to standard output (the default without -o)\n"
          "      --format F      text (default) or json: the plan, --status, --apply --dry-run\n"
          "      --graph         print the topology as Graphviz dot\n"
          "      --explain [CODE]  what a diagnostic code means and how to fix it;\n"
          "                      alone: every code with its title\n"
          "      --werror        warnings count as errors\n"
          "      --color WHEN    auto (default), always, never\n"
          "      --apply         apply the topology to the live servers (libpq + ssh)\n"
          "      --dry-run       with --apply: check everything, print what would run, change nothing\n"
          "  -j, --jobs N        steps run at once when applying (default: number of nodes)\n"
          "      --prune         with --apply or -o: also drop what replc made for this cluster that\n"
          "                      the file no longer declares (never tables or rows)\n"
          "      --limit NODE[,NODE...]\n"
          "                      with --apply, --dry-run or --status: only these nodes' steps;\n"
          "                      what they need from other nodes is checked, never skipped\n"
          "  -y, --yes           with --apply on a terminal: do not ask before changing\n"
          "      --trace FILE    with --apply or --promote: write a Chrome trace-event JSON of every\n"
          "                      step and wait (Perfetto, chrome://tracing); print the critical path\n"
          "  -q, --quiet         only problems and the summary\n"
          "      --timeout S     seconds any wait may take when applying (default 300)\n"
          "      --status        connect to every node, report what differs from the topology;\n"
          "                      exit 0 only when the cluster is as described\n"
          "      --promote NODE  promote a standby of a subscriber and move its subscriptions onto it;\n"
          "                      refuses while the old subscriber answers\n"
          "      --force         with --promote: go on although the old subscriber answers (fence it first)\n"
          "  -V, --version       print the version and exit\n"
          "  -h, --help          print this help and exit\n",
          f);
}

static int write_file(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) {
        fprintf(stderr, "replc: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            fprintf(stderr, "replc: cannot write '%s': %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (fchmod(fd, mode) < 0 || close(fd) < 0) {
        fprintf(stderr, "replc: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* A file that replc writes into a node's directory: run.sh, lib.sh,
 * promote.sh, a step file (<kind>[.<object>].sql or .sh), or a numbered
 * step file from a replc before step files were named by what they do
 * (NN-<what>.sql or .sh). */
static bool is_ours(const char *name)
{
    size_t n = strlen(name);
    if (strcmp(name, "run.sh") == 0 || strcmp(name, "promote.sh") == 0 || strcmp(name, "lib.sh") == 0)
        return true;
    bool script = (n > 3 && strcmp(name + n - 3, ".sh") == 0) || (n > 4 && strcmp(name + n - 4, ".sql") == 0);
    if (!script)
        return false;
    if (name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' && name[2] == '-')
        return true;
    for (int k = 0; k < step_kind_count(); k++) {
        const char *kind = step_kind_name((StepKind)k);
        size_t kl = strlen(kind);
        if (strncmp(name, kind, kl) == 0 && name[kl] == '.')
            return true;
    }
    return false;
}

/* Remove what an earlier replc run wrote into dir, and nothing else. Refuse
 * a non-empty directory that replc did not write. */
static int prepare_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0) {
        if (errno == ENOENT && mkdir(dir, 0755) == 0)
            return 0;
        fprintf(stderr, "replc: cannot create '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "replc: '%s' exists and is not a directory\n", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replc: cannot read '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/plan.json", dir);
    bool ours = access(path, F_OK) == 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!ours) {
            fprintf(stderr, "replc: '%s' is not empty and holds no replc output; not writing into it\n", dir);
            rc = -1;
            break;
        }
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (strcmp(e->d_name, "plan.txt") == 0 || strcmp(e->d_name, "plan.json") == 0 ||
            strcmp(e->d_name, "topology.dot") == 0) {
            unlink(path);
            continue;
        }
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        DIR *sd = opendir(path);
        if (!sd)
            continue;
        struct dirent *f;
        char fp[4096 + 256];
        while ((f = readdir(sd)))
            if (is_ours(f->d_name)) {
                snprintf(fp, sizeof fp, "%s/%s", path, f->d_name);
                unlink(fp);
            }
        closedir(sd);
        rmdir(path);   /* only when now empty */
    }
    closedir(d);
    return rc;
}

static int write_tree(const char *dir, const Model *m, const Plan *p)
{
    if (prepare_dir(dir) < 0)
        return -1;
    StrBuf b;
    sb_init(&b);
    char path[8192];
    int rc = 0;
    emit_plan_text(&b, m, p);
    snprintf(path, sizeof path, "%s/plan.txt", dir);
    rc |= write_file(path, b.s, b.len, 0644);
    sb_reset(&b);
    emit_plan_json(&b, m, p);
    snprintf(path, sizeof path, "%s/plan.json", dir);
    rc |= write_file(path, b.s, b.len, 0644);
    sb_reset(&b);
    emit_dot(&b, m);
    snprintf(path, sizeof path, "%s/topology.dot", dir);
    rc |= write_file(path, b.s, b.len, 0644);
    for (int i = 0; i < m->nodes.n && rc == 0; i++) {
        const MNode *n = m->nodes.items[i];
        snprintf(path, sizeof path, "%s/%s", dir, (const char *)p->node_dirs.items[i]);
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
            fprintf(stderr, "replc: cannot create '%s': %s\n", path, strerror(errno));
            rc = -1;
            break;
        }
        sb_reset(&b);
        emit_lib_sh(&b);
        snprintf(path, sizeof path, "%s/%s/lib.sh", dir, (const char *)p->node_dirs.items[i]);
        rc |= write_file(path, b.s, b.len, 0644);
        const Vec *steps = p->node_steps.items[i];
        for (int k = 0; k < steps->n && rc == 0; k++) {
            const Step *s = steps->items[k];
            sb_reset(&b);
            emit_step(&b, m, s);
            snprintf(path, sizeof path, "%s/%s/%s", dir, (const char *)p->node_dirs.items[i], s->file);
            rc |= write_file(path, b.s, b.len, s->lang == LANG_SHELL ? 0755 : 0644);
        }
        if (plan_promotes(p, n)) {
            sb_reset(&b);
            emit_promote(&b, m, n);
            snprintf(path, sizeof path, "%s/%s/promote.sh", dir, (const char *)p->node_dirs.items[i]);
            rc |= write_file(path, b.s, b.len, 0755);
        }
        sb_reset(&b);
        emit_run_sh(&b, m, p, n);
        snprintf(path, sizeof path, "%s/%s/run.sh", dir, (const char *)p->node_dirs.items[i]);
        rc |= write_file(path, b.s, b.len, 0755);
    }
    sb_free(&b);
    return rc ? -1 : 0;
}

/* --limit NODE[,NODE...]: per node index, whether it was named; NULL (after
 * saying why) when a name is not a node. */
static bool *limit_nodes(Arena *a, const Model *m, const char *list)
{
    bool *only = arena_alloc(a, (size_t)m->nodes.n + 1);
    memset(only, 0, (size_t)m->nodes.n + 1);
    const char **names = arena_alloc(a, ((size_t)m->nodes.n + 1) * sizeof *names);
    for (int i = 0; i < m->nodes.n; i++)
        names[i] = ((const MNode *)m->nodes.items[i])->name;
    bool bad = false;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *name = arena_strndup(a, p, len);
        const MNode *n = model_find_node(m, name);
        if (n)
            only[n->index] = true;
        else {
            const char *best = diag_suggest(name, names, m->nodes.n);
            fprintf(stderr, "replc: --limit: the topology has no node '%s'%s%s%s\n", name,
                    best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "");
            bad = true;
        }
        p += len + (comma ? 1 : 0);
    }
    return bad ? NULL : only;
}

/* REPLC_MEMSTATS set: the most bytes the arenas held at once, on stderr
 * (deterministic for an input; bench/README.md, tests/memory.sh) */
static void memstats(const Model *m)
{
    if (!getenv("REPLC_MEMSTATS"))
        return;
    size_t peak = arena_peak_bytes();
    fprintf(stderr, "replc: memstats: peak %zu bytes in arenas, %zu per node\n", peak,
            m->nodes.n ? peak / (size_t)m->nodes.n : peak);
}

/* --check's last line: what was checked */
static void check_summary(const Model *m, const char *file, int warnings)
{
    int subs = 0, standbys = 0;
    for (int i = 0; i < m->nodes.n; i++) {
        const MNode *n = m->nodes.items[i];
        subs += n->subs.n;
        standbys += n->standby != NULL;
    }
    printf("%s: %d node%s (%d standby%s), %d subscription%s, %d warning%s\n", file, m->nodes.n,
           m->nodes.n == 1 ? "" : "s", standbys, standbys == 1 ? "" : "s", subs, subs == 1 ? "" : "s",
           warnings, warnings == 1 ? "" : "s");
}

static const char *default_cluster(Arena *a, const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".rc") == 0)
        n -= 3;
    return arena_strndup(a, base, n);
}

int main(int argc, char **argv)
{
    enum { O_CHECK = 256, O_PLAN, O_FORMAT, O_GRAPH, O_APPLY, O_DRY, O_STATUS, O_EXPLAIN,
           O_WERROR, O_COLOR, O_TIMEOUT, O_PROMOTE, O_FORCE, O_PRUNE, O_LIMIT, O_TRACE };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"check", no_argument, NULL, O_CHECK},
        {"plan", no_argument, NULL, O_PLAN},      {"format", required_argument, NULL, O_FORMAT},
        {"graph", no_argument, NULL, O_GRAPH},    {"apply", no_argument, NULL, O_APPLY},
        {"dry-run", no_argument, NULL, O_DRY},    {"jobs", required_argument, NULL, 'j'},
        {"status", no_argument, NULL, O_STATUS},  {"explain", optional_argument, NULL, O_EXPLAIN},
        {"werror", no_argument, NULL, O_WERROR},  {"color", required_argument, NULL, O_COLOR},
        {"version", no_argument, NULL, 'V'},     {"help", no_argument, NULL, 'h'},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"promote", required_argument, NULL, O_PROMOTE}, {"force", no_argument, NULL, O_FORCE},
        {"prune", no_argument, NULL, O_PRUNE},
        {"limit", required_argument, NULL, O_LIMIT}, {"yes", no_argument, NULL, 'y'},
        {"quiet", no_argument, NULL, 'q'},       {"trace", required_argument, NULL, O_TRACE},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL, *format = "text", *color = "auto", *promote = NULL, *limit = NULL,
               *trace = NULL;
    bool check_only = false, plan = false, graph = false, werror = false, apply = false, dry_run = false,
         status = false, force = false, prune = false, yes = false, quiet = false;
    int jobs = 0, timeout_s = 300;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:hVyq", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'j':
            jobs = atoi(optarg);
            if (jobs < 1 || jobs > 1000) {
                fprintf(stderr, "replc: -j takes a number from 1 to 1000, not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_TIMEOUT:
            timeout_s = atoi(optarg);
            if (timeout_s < 1) {
                fprintf(stderr, "replc: --timeout takes a number of seconds, not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_CHECK: check_only = true; break;
        case O_PLAN: plan = true; break;
        case O_FORMAT: format = optarg; break;
        case O_GRAPH: graph = true; break;
        case O_APPLY: apply = true; break;
        case O_DRY: dry_run = true; break;
        case O_STATUS: status = true; break;
        case O_PROMOTE: promote = optarg; break;
        case O_FORCE: force = true; break;
        case O_PRUNE: prune = true; break;
        case O_WERROR: werror = true; break;
        case O_COLOR: color = optarg; break;
        case O_LIMIT: limit = optarg; break;
        case O_TRACE: trace = optarg; break;
        case 'y': yes = true; break;
        case 'q': quiet = true; break;
        case 'V': printf("replc %s\n", REPLC_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        case O_EXPLAIN: {
            /* --explain CODE, --explain=CODE, or alone: the list */
            const char *code = optarg;
            if (!code && optind < argc && argv[optind][0] != '-')
                code = argv[optind++];
            if (!code) {
                explain_list(stdout);
                return 0;
            }
            const char *t = explain_text(code);
            if (!t) {
                const char *const *codes = explain_codes();
                int n = 0;
                while (codes[n])
                    n++;
                const char *best = diag_suggest(code, codes, n);
                fprintf(stderr, "replc: unknown diagnostic code '%s'%s%s%s\n", code,
                        best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "");
                return 2;
            }
            printf("%s", t);
            return 0;
        }
        default: usage(stderr); return 2;
        }
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "replc: --format takes text or json, not '%s'\n", format);
        return 2;
    }
    if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 && strcmp(color, "never") != 0) {
        fprintf(stderr, "replc: --color takes auto, always or never, not '%s'\n", color);
        return 2;
    }
    if (dry_run && !apply) {
        fputs("replc: --dry-run goes with --apply\n", stderr);
        return 2;
    }
    if ((apply || status) && (out || check_only || graph || plan)) {
        fputs("replc: --apply and --status do not combine with -o, --check, --plan or --graph\n", stderr);
        return 2;
    }
    if (force && !promote) {
        fputs("replc: --force goes with --promote\n", stderr);
        return 2;
    }
    if (promote && (apply || status || out || check_only || graph || plan)) {
        fputs("replc: --promote does not combine with --apply, --status, -o, --check, --plan or --graph\n", stderr);
        return 2;
    }
    if (limit && !apply && !status) {
        fputs("replc: --limit goes with --apply, --dry-run or --status\n", stderr);
        return 2;
    }
    if (trace && !apply && !promote) {
        fputs("replc: --trace goes with --apply or --promote\n", stderr);
        return 2;
    }
    if (yes && !apply) {
        fputs("replc: --yes goes with --apply\n", stderr);
        return 2;
    }
    if (apply && status) {
        fputs("replc: --apply and --status exclude each other\n", stderr);
        return 2;
    }
    if (apply && !dry_run && strcmp(format, "json") == 0) {
        fputs("replc: --format json goes with --status, --apply --dry-run or the plan\n", stderr);
        return 2;
    }
    if (prune && !(apply || out)) {
        fputs("replc: --prune goes with --apply or -o\n", stderr);
        return 2;
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    const char *file = argv[optind];

    Arena arena;
    arena_init(&arena);
    DiagCtx diag;
    diag_init(&diag, &arena);
    diag.werror = werror;
    diag.color = strcmp(color, "always") == 0 || (strcmp(color, "auto") == 0 && isatty(2));
    Arena tree, tables, early, pubs;   /* the syntax tree: given back once the model is built */
    arena_init(&tree);
    arena_init(&tables);
    arena_init(&early);
    arena_init(&pubs);
    Program prog = {0};
    Parser parser = {0};
    parser.arena = &arena;
    parser.tree = &tree;
    parser.tables = &tables;
    parser.early = &early;
    parser.pubs = &pubs;
    parser.parts = true;
    parser.diag = &diag;
    parser.prog = &prog;
    if (!parse_file(&parser, file, (Span){-1, 0, 0})) {
        program_free_parts(&prog);
        arena_free(&pubs);
        arena_free(&early);
        arena_free(&tables);
        arena_free(&tree);
        arena_free(&arena);
        return 1;
    }
    Model *m = NULL;
    if (diag.nerrors == 0)
        m = check_program_ex(&arena, &diag, &prog, default_cluster(&arena, file), &tree, &tables, &early,
                             &pubs, check_only);
    program_free_parts(&prog);   /* (again: nothing when check_program_ex gave them back) */
    arena_free(&pubs);
    arena_free(&early);
    arena_free(&tables);
    arena_free(&tree);
    int errors = diag_error_count(&diag);
    diag_flush(&diag, stderr);
    if (errors) {
        arena_free(&arena);
        return 1;
    }
    int rc = 0;
    m->prune = prune;
    if (promote) {
        const MNode *n = model_find_node(m, promote);
        if (!n) {
            fprintf(stderr, "replc: no node '%s' in '%s'\n", promote, file);
            arena_free(&arena);
            return 2;
        }
        rc = promote_run(m, plan_build(&arena, m), n, force, timeout_s, trace);
        arena_free(&arena);
        return rc;
    }
    if (apply || status) {
        Plan *p = plan_build(&arena, m);
        bool *only = NULL;
        if (limit && !(only = limit_nodes(&arena, m, limit))) {
            arena_free(&arena);
            return 2;
        }
        ApplyOptions ao = {jobs, timeout_s, dry_run, status, strcmp(format, "json") == 0, quiet, yes, only, trace};
        rc = apply_run(m, p, &ao);
        arena_free(&arena);
        return rc;
    }
    if (check_only)
        check_summary(m, file, diag.nwarnings);
    if (!check_only) {
        Plan *p = plan_build(&arena, m);
        StrBuf b;
        sb_init(&b);
        if (out && write_tree(out, m, p) < 0)
            rc = 1;
        if (graph) {
            emit_dot(&b, m);
            fputs(b.s, stdout);
        } else if (plan || !out) {
            if (strcmp(format, "json") == 0)
                emit_plan_json(&b, m, p);
            else
                emit_plan_text(&b, m, p);
            fputs(b.s, stdout);
        }
        sb_free(&b);
    }
    memstats(m);
    arena_free(&arena);
    return rc;
}
