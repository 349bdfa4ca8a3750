int cache_get(int v);
