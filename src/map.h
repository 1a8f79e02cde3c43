/* map.h: string -> pointer hash map in the arena (open addressing). */
#ifndef REPLC_MAP_H
#define REPLC_MAP_H

#include "arena.h"

typedef struct Map {
    const char **keys;  /* NULL with key_of */
    void **vals;
    int cap, n;
    /* set before the first map_put when each value holds its key (a node
     * its name): no array of keys is kept (memory: half the map) */
    const char *(*key_of)(const void *val);
} Map;

/* Insert or replace. */
void map_put(Arena *a, Map *m, const char *key, void *val);
/* NULL when absent. */
void *map_get(const Map *m, const char *key);
/* Done with m: its storage goes back when big (arena_release); m is empty. */
void map_release(Arena *a, Map *m);

#endif
