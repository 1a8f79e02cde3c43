/* arena.h: one bump allocator per compilation; owns AST, model and plan. */
#ifndef REPLC_ARENA_H
#define REPLC_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;
    size_t used;   /* bytes handed out (with alignment padding), for statistics */
} Arena;

void arena_init(Arena *a);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size);      /* zeroed, aligned for pointers and long (8) */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Give back an allocation of more than a quarter megabyte that nothing
 * points to any more (a grown table's old storage); others stay until
 * arena_free. */
void arena_release(Arena *a, void *p);
/* Give back every block but one and start over: for temporaries made in a
 * loop (each round's are garbage before the next). */
void arena_reset(Arena *a);

/* Bytes handed out by every arena of the process and not yet given back
 * (arena_free, arena_reset, arena_release), and the most there ever were:
 * a deterministic measure of memory (REPLC_MEMSTATS, bench/README.md). */
size_t arena_live_bytes(void);
size_t arena_peak_bytes(void);

/* A growable array of pointers whose storage lives in the arena. */
typedef struct Vec {
    void **items;
    int n, cap;
} Vec;

void vec_push(Arena *a, Vec *v, void *item);
/* A list that most of its owners do not have is a pointer, NULL until its
 * first item (memory): vec_count is its length, vec_made the list, made
 * empty the first time. */
static inline int vec_count(const Vec *v)
{
    return v ? v->n : 0;
}
Vec *vec_made(Arena *a, Vec **v);
/* Room for at least n items in all (exactly n when it grows): for a list
 * whose length is known, no storage left behind by growing. */
void vec_reserve(Arena *a, Vec *v, int n);

#endif
