#include "../store/store.h"
#include "cache.h"

int cache_get(int v)
{
    return v;
}
