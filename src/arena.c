/* arena.c: bump allocation in large blocks, freed all at once. */
#include "arena.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaBlock {
    ArenaBlock *next;
    size_t size, off;
    int own;   /* holds one big allocation only (arena_release may free it) */
    _Alignas(16) unsigned char data[];
};

enum { BLOCK_SIZE = 1 << 20 };

static size_t live_bytes, peak_bytes;   /* over every arena: arena_live_bytes */

static void count(size_t add, size_t sub)
{
    live_bytes = live_bytes + add - sub;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
}

size_t arena_live_bytes(void)
{
    return live_bytes;
}

size_t arena_peak_bytes(void)
{
    return peak_bytes;
}

void arena_init(Arena *a)
{
    a->head = NULL;
    a->used = 0;
}

void arena_free(Arena *a)
{
    count(0, a->used);
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

static void *xmalloc(size_t n)
{
#ifdef M_MMAP_THRESHOLD
    static int fixed;
    if (!fixed) {
        /* blocks (1 MiB and more) mapped on their own, always: a block
         * given back (arena_free) goes back to the system at once. Else
         * glibc raises the threshold after the first such free and later
         * blocks come from the heap, which keeps the pages of those freed
         * between live ones: the resident set stays at its peak while the
         * syntax tree is given back (bench/README.md, round 3). */
        fixed = 1;
        mallopt(M_MMAP_THRESHOLD, BLOCK_SIZE / 2);
    }
#endif
    void *p = malloc(n);
    if (!p) {
        fputs("replc: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* size bytes at align (1 or 8) in the head block, a new block when it has no room */
static void *bump(Arena *a, size_t size, size_t align)
{
    ArenaBlock *b = a->head;
    size_t off = b ? (b->off + align - 1) & ~(align - 1) : 0;
    if (!b || off > b->size || b->size - off < size) {
        size_t bs = size > BLOCK_SIZE / 4 ? size : BLOCK_SIZE;
        b = xmalloc(sizeof(ArenaBlock) + bs);
        b->size = bs;
        b->off = 0;
        b->own = size > BLOCK_SIZE / 4;
        off = 0;
        if (size > BLOCK_SIZE / 4 && a->head) {
            /* big allocation: keep the current block as the head */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + off;
    size_t add = off - b->off + size;   /* with the padding before it */
    b->off = off + size;
    a->used += add;
    count(add, 0);
    return p;
}

void *arena_alloc(Arena *a, size_t size)
{
    /* 8: what every structure of replc needs (pointers, long); not
     * max_align_t's 16, which costs 8 bytes on most small allocations */
    void *p = bump(a, size, _Alignof(void *) > _Alignof(long) ? _Alignof(void *) : _Alignof(long));
    memset(p, 0, size);
    return p;
}

/* strings need no alignment: packed, they cost their length and one byte */
char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = bump(a, n + 1, 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = bump(a, (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_release(Arena *a, void *p)
{
    /* only a big allocation has a block of its own (bump); never the head */
    for (ArenaBlock **link = a->head ? &a->head->next : NULL; link && *link; link = &(*link)->next) {
        ArenaBlock *b = *link;
        if (b->own && (void *)b->data == p) {
            *link = b->next;
            a->used -= b->off;
            count(0, b->off);
            free(b);
            return;
        }
    }
}

void arena_reset(Arena *a)
{
    ArenaBlock *keep = NULL, *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        if (!keep && !b->own)
            keep = b;
        else
            free(b);
        b = next;
    }
    count(0, a->used);
    a->used = 0;
    a->head = keep;
    if (keep) {
        keep->next = NULL;
        keep->off = 0;
    }
}

void vec_reserve(Arena *a, Vec *v, int cap)
{
    if (cap <= v->cap)
        return;
    void **items = arena_alloc(a, sizeof(void *) * (size_t)cap);
    if (v->n)
        memcpy(items, v->items, sizeof(void *) * (size_t)v->n);
    if (sizeof(void *) * (size_t)v->cap > BLOCK_SIZE / 4)
        arena_release(a, v->items);
    v->items = items;
    v->cap = cap;
}

Vec *vec_made(Arena *a, Vec **v)
{
    if (!*v)
        *v = arena_alloc(a, sizeof **v);
    return *v;
}

void vec_push(Arena *a, Vec *v, void *item)
{
    /* one item first (most lists of a topology hold one), then 4, then doubling */
    if (v->n == v->cap)
        vec_reserve(a, v, v->cap == 0 ? 1 : v->cap == 1 ? 4 : v->cap * 2);
    v->items[v->n++] = item;
}
