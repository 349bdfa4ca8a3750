#include "base/util.h"
#include "local.h"
#include <string.h>

base_len_t base_len(const char *s)
{
    return strlen(s);
}
