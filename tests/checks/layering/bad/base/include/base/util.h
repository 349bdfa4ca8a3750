#include "base/types.h"
base_len_t base_len(const char *s);
