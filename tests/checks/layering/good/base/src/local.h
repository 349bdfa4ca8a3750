#include "base/types.h"
base_len_t base_count(const char *s);
