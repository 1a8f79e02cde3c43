/* map.c: FNV-1a hashed open addressing; grows at half full. A big old
 * table goes back (arena_release); a small one is left in the arena. */
#include "map.h"

#include <string.h>

static unsigned long hash(const char *s)
{
    unsigned long h = 1469598103934665603UL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211UL;
    }
    return h;
}

/* the key of slot i; NULL: empty */
static const char *key_at(const Map *m, unsigned long i)
{
    if (m->key_of)
        return m->vals[i] ? m->key_of(m->vals[i]) : NULL;
    return m->keys[i];
}

static void insert(Map *m, const char *key, void *val)
{
    unsigned long i = hash(key) & (unsigned long)(m->cap - 1);
    for (const char *k; (k = key_at(m, i)); i = (i + 1) & (unsigned long)(m->cap - 1))
        if (strcmp(k, key) == 0) {
            m->vals[i] = val;
            return;
        }
    if (m->keys)
        m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
}

void map_put(Arena *a, Map *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap) {
        Map old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->keys = m->key_of ? NULL : arena_alloc(a, sizeof(char *) * (size_t)m->cap);
        m->vals = arena_alloc(a, sizeof(void *) * (size_t)m->cap);
        m->n = 0;
        for (unsigned long i = 0; i < (unsigned long)old.cap; i++) {
            const char *k = key_at(&old, i);
            if (k)
                insert(m, k, old.vals[i]);
        }
        if (old.keys)
            arena_release(a, old.keys);
        arena_release(a, old.vals);
    }
    insert(m, key, val);
}

void map_release(Arena *a, Map *m)
{
    if (m->cap) {
        if (m->keys)
            arena_release(a, m->keys);
        arena_release(a, m->vals);
    }
    *m = (Map){0};
}

void *map_get(const Map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    unsigned long i = hash(key) & (unsigned long)(m->cap - 1);
    for (const char *k; (k = key_at(m, i)); i = (i + 1) & (unsigned long)(m->cap - 1))
        if (strcmp(k, key) == 0)
            return m->vals[i];
    return NULL;
}
