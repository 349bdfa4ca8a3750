#include <stddef.h>
typedef size_t base_len_t;
