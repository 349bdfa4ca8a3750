int store_put(int v);
